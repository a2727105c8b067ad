using Tidings;

return await TidingsCli.RunAsync(args);
