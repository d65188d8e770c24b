using Serilog;
using Serilog.Events;
using Simulator;
using Simulator.Campaign;
using Simulator.Load;

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Information()
    .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
    .CreateLogger();

try
{
    if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
    {
        Console.WriteLine(Usage.Text);
        return args.Length == 0 ? 2 : 0;
    }
    return args[0] switch
    {
        "eval" => EvalCommand.Run(args[1..]),
        "campaign" => CampaignCommand.Run(args[1..]),
        "study" => StudyCommand.Run(args[1..]),
        "ranking" => RankingCommand.Run(args[1..]),
        "answer-chooser" => AnswerChooserCommand.Run(args[1..]),
        "queue-bench" => QueueBenchCommand.Run(args[1..]),
        "load" => LoadCommand.Run(args[1..]),
        _ => throw new UsageException($"Unknown command '{args[0]}'. Commands: eval, study, campaign, ranking, answer-chooser, queue-bench, load."),
    };
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}
catch (CampaignFailedException ex)
{
    Console.Error.WriteLine($"error: campaign failed: {ex.Message}");
    return 1;
}
catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
finally
{
    Log.CloseAndFlush();
}
