using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Businesses;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Classification;

/// <summary>
/// `tidings classify`: headlines on standard input to verdicts on standard output, `classify eval` to measure the
/// classifier on a labelled file, `classify train` to rebuild the shipped model from data/classify. Without
/// --business-slug no database is needed: the default taxonomy and the shipped model answer.
/// </summary>
public static class ClassifyCommands
{
    public const string Actor = "classify";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Input(string? Title, string? Description, string? Client);

    private sealed record Output(string Category, string? Subcategory, double Confidence, double Relevance, double Sentiment, string Evidence);

    public static Command Create()
    {
        var slug = new Option<string?>("--business-slug") { HelpName = "SLUG", Description = "Classify as this business does: its taxonomy and its labelled examples (needs the configured database)." };
        var classify = new Command("classify", "Classify headlines: JSON lines {\"title\", \"description\"} on standard input, one JSON verdict line each on standard output.");
        classify.Options.Add(slug);
        classify.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(() => ClassifyAsync(result.GetValue(slug), Console.In, Console.Out, ct)));

        var file = new Argument<string>("FILE") { Description = "JSON lines with title, optional description and client, and the gold category (or accept, a list)." };
        var evalSlug = new Option<string?>("--business-slug") { HelpName = "SLUG", Description = "Evaluate as this business classifies." };
        var model = new Option<string?>("--model") { HelpName = "FILE", Description = "A model file from `classify train` instead of the one built in, to compare before shipping it." };
        var eval = new Command("eval", "Measure the classifier on a labelled file: per-category precision and recall, confusion matrix, calibration, accuracy and speed.");
        eval.Arguments.Add(file);
        eval.Options.Add(evalSlug);
        eval.Options.Add(model);
        eval.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(() => EvaluateAsync(result.GetValue(file)!, result.GetValue(evalSlug), result.GetValue(model), Console.Out, ct)));
        classify.Subcommands.Add(eval);

        var data = new Option<string[]>("--data") { HelpName = "FILE", Description = "Labelled JSON lines to learn from (repeat).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { HelpName = "FILE", Description = "Where to write the model.", Required = true };
        var version = new Option<string>("--model-version") { HelpName = "NAME", Description = "Stored on the events the model labels.", DefaultValueFactory = _ => "tidings-classifier/1" };
        var cache = new Option<string?>("--embedding-cache") { HelpName = "FILE", Description = "Keep the training texts' embeddings here between runs (they take minutes to compute)." };
        var power = new Option<double>("--class-weight-power") { HelpName = "P", Description = "Rare categories weigh (rarity)^P.", DefaultValueFactory = _ => 0.5 };
        var train = new Command("train", "Train the headline model from labelled files (a developer's tool: the result ships as src/Tidings/Classification/Model/headline-model.bin).");
        train.Options.Add(data);
        train.Options.Add(output);
        train.Options.Add(version);
        train.Options.Add(cache);
        train.Options.Add(power);
        train.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(() => Task.FromResult(
            Train(result.GetValue(data)!, result.GetValue(output)!, result.GetValue(version)!, result.GetValue(cache), result.GetValue(power)))));
        classify.Subcommands.Add(train);
        return classify;
    }

    private static async Task<int> ClassifyAsync(string? slug, TextReader input, TextWriter output, CancellationToken ct)
    {
        var knowledge = await KnowledgeAsync(slug, ct);
        var classifier = new HeadlineClassifier();
        var batch = new List<Headline>();
        var number = 0;
        while (await input.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            Input? item;
            try
            {
                item = JsonSerializer.Deserialize<Input>(line, Json);
            }
            catch (JsonException)
            {
                item = null;
            }
            if (item is null || string.IsNullOrWhiteSpace(item.Title))
            {
                await WriteAsync(classifier, batch, knowledge, output);
                throw new UsageException($"classify: line {number}: expected a JSON object with a \"title\".");
            }
            batch.Add(new Headline(item.Title.Trim(), item.Description, item.Client));
            if (batch.Count == 64)
                await WriteAsync(classifier, batch, knowledge, output);
        }
        await WriteAsync(classifier, batch, knowledge, output);
        return TidingsCli.Ok;
    }

    private static async Task WriteAsync(HeadlineClassifier classifier, List<Headline> batch, BusinessKnowledge knowledge, TextWriter output)
    {
        foreach (var v in classifier.Classify(batch, knowledge, DateTime.UtcNow))
            await output.WriteLineAsync(JsonSerializer.Serialize(new Output(v.Category, v.Subcategory, v.Confidence, v.Relevance, v.Sentiment, v.Evidence), Json));
        await output.FlushAsync();
        batch.Clear();
    }

    private static async Task<int> EvaluateAsync(string path, string? slug, string? modelFile, TextWriter output, CancellationToken ct)
    {
        var items = ReadLabelled(path, "classify eval");
        if (items.Count == 0)
            throw new UsageException($"classify eval: {path} has no labelled lines.");
        if (modelFile is not null && !File.Exists(modelFile))
            throw new UsageException($"classify eval: no such model file: {modelFile}");
        var knowledge = await KnowledgeAsync(slug, ct);
        var classifier = modelFile is null ? new HeadlineClassifier() : new HeadlineClassifier(() => ReadModel(modelFile));
        classifier.WarmUp();
        var clock = Stopwatch.StartNew();
        var verdicts = classifier.Classify(items.Select(i => new Headline(i.Title!.Trim(), i.Description, i.Client)).ToList(), knowledge, DateTime.UtcNow);
        var seconds = clock.Elapsed.TotalSeconds;
        await output.WriteAsync(ClassifierEvaluation.Of(items, verdicts, seconds).Report());
        return TidingsCli.Ok;
    }

    /// <summary>A labelled file, or a one-line usage error naming the verb and what is wrong with it.</summary>
    private static List<LabelledHeadline> ReadLabelled(string path, string verb)
    {
        if (!File.Exists(path))
            throw new UsageException($"{verb}: no such file: {path}");
        try
        {
            return LabelledHeadline.Read(path);
        }
        catch (FormatException e)
        {
            throw new UsageException($"{verb}: {e.Message}");
        }
    }

    private static ClassifierModel ReadModel(string path)
    {
        using var file = File.OpenRead(path);
        try
        {
            return ClassifierModel.Read(file);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new UsageException($"classify eval: {path} is not a model file of this version of Tidings.");
        }
    }

    private static int Train(string[] data, string output, string version, string? cache, double power)
    {
        var rows = new List<LabelledHeadline>();
        foreach (var file in data)
            rows.AddRange(ReadLabelled(file, "classify train"));
        var model = ClassifierTraining.Train(rows, version, new ClassifierTraining.Options(ClassWeightPower: power), Console.Error, cache);
        var temporary = output + ".partial";
        using (var file = File.Create(temporary))
            model.Write(file);
        File.Move(temporary, output, overwrite: true);
        Console.WriteLine($"{output}: {model.Classes.Length} categories, {model.Text.Size} text features, temperature {model.Temperature:F2}, {new FileInfo(output).Length / 1024} KiB");
        return TidingsCli.Ok;
    }

    /// <summary>The default knowledge, or that of the business with the slug (its taxonomy and examples, read under its tenant).</summary>
    private static async Task<BusinessKnowledge> KnowledgeAsync(string? slug, CancellationToken ct)
    {
        if (slug is null)
            return BusinessKnowledge.Default;
        var host = Host.CreateApplicationBuilder();
        TidingsCli.AddShippedDefaults(host.Configuration);
        var settings = DatabaseSettings.From(host.Configuration);
        await using var db = DatabaseSetup.CreateContext(settings, settings.ConnectionString, new CurrentTenant(), new CurrentActor());
        db.Actor.SetSystem(Actor);
        Guid? businessId;
        using (await db.BeginPlatformScopeAsync(Actor, ct))
            businessId = await db.AcrossBusinesses<Business>().Where(b => b.Slug == slug).Select(b => (Guid?)b.Id).SingleOrDefaultAsync(ct);
        if (businessId is not { } id)
            throw new UsageException($"classify: no business has the slug \"{slug}\".");
        db.Tenant.Set(id);
        return await new ClassifierKnowledge(TimeProvider.System).ForCurrentBusinessAsync(db, ct);
    }
}
