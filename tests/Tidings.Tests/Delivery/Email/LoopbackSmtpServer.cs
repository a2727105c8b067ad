using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Tidings.Tests.Delivery.Email;

/// <summary>
/// An SMTP server inside the test process on 127.0.0.1 and a port the system picks (read back when the listener
/// starts, so no two tests race for a port). It keeps what it receives, refuses a recipient whose local part is
/// "refused" with 550, and answers 451 to a message for "busy". With a password it asks every client to sign in as
/// <see cref="User"/> (over plain text, which is only for tests).
/// </summary>
public sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private Task _running = Task.CompletedTask;

    public sealed record Received(string From, IReadOnlyList<string> To, MimeMessage Message);

    public const string User = "mailer";

    public int Port { get; private set; }

    public IReadOnlyList<Received> Messages => [.. _received];

    public static async Task<LoopbackSmtpServer> StartAsync(string? password = null)
    {
        var server = new LoopbackSmtpServer();
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => started.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);

        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, 0))
                .AuthenticationRequired(password is not null).AllowUnsecureAuthentication(password is not null))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(server));
        services.Add(new Filter());
        if (password is not null)
            services.Add(new SmtpServer.Authentication.DelegatingUserAuthenticator((user, given) => user == User && given == password));
        var smtp = new SmtpServer.SmtpServer(options, services);
        server._running = smtp.StartAsync(server._stop.Token);
        server.Port = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store(LoopbackSmtpServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (transaction.To.Any(m => m.User == "busy"))
                return new SmtpResponse(SmtpReplyCode.Aborted, "Local error in processing, try again later");
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            server._received.Enqueue(new Received(transaction.From.AsAddress(), [.. transaction.To.Select(m => m.AsAddress())], message));
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(to.User != "refused");
    }
}
