using PepperCache.Cli;

// Ctrl-C ends the process as usual; line editing (which would clear the line instead) is not in this tool yet.
return await CliApp.RunAsync(args, Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);
