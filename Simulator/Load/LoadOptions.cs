using System.Globalization;
using Simulator.Campaign;

namespace Simulator.Load;

/// <summary>The options of the load command, checked.</summary>
/// <param name="Campaign">The campaign the simulated people work in (its annotator count is the largest level).</param>
/// <param name="Levels">The numbers of people working at once, one load level each, in the order given.</param>
/// <param name="Seconds">How long each level lasts: after it nobody starts a new task, and open tasks are finished.</param>
/// <param name="ServerProcessIds">The server's processes on this machine, whose CPU and memory are reported.</param>
/// <param name="PreviewP95TargetMs">A level is within capacity when preview p95 is below this...</param>
/// <param name="MaxWaitTargetSeconds">...and nobody waited longer than this for a task.</param>
/// <param name="Repeat">Each dataset object is imported this many times (as several objects of its image), for campaigns larger than the dataset.</param>
public sealed record LoadOptions(
    CampaignOptions Campaign, IReadOnlyList<int> Levels, double Seconds, HumanPace Pace, IReadOnlyList<int> ServerProcessIds, string OutPath,
    double PreviewP95TargetMs = 300, double MaxWaitTargetSeconds = 1, int Repeat = 1)
{
    /// <summary>The options only the load command has; every other one is a campaign option.</summary>
    static readonly string[] Own =
        ["annotators", "seconds", "think-accept", "think-first-click", "think-further-click", "think-spread", "server-pids", "out", "target-preview-p95-ms", "target-max-wait", "repeat"];

    /// <exception cref="UsageException">An option is missing, unknown, malformed or out of range.</exception>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var own = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : null;
            if (name is not null && Own.Contains(name))
            {
                if (i + 1 >= args.Count) throw new UsageException($"Option --{name} needs a value.");
                own.Add(args[i]);
                own.Add(args[++i]);
            }
            else rest.Add(args[i]);
        }
        var cli = new CommandLine(own, new HashSet<string>());
        var levels = ParseLevels(cli.Optional("annotators") ?? "1,2,4,8,16");
        if (rest.Contains("--no-preview")) throw new UsageException("The load command always previews after each click; --no-preview does not apply.");
        var campaign = CampaignOptions.Parse([.. rest, "--annotators", levels.Max().ToString(CultureInfo.InvariantCulture)]);
        var pace = new HumanPace(
            cli.Double("think-accept", 4, 0, 600), cli.Double("think-first-click", 8, 0, 600), cli.Double("think-further-click", 3, 0, 600),
            cli.Double("think-spread", 0.4, 0, 2));
        var options = new LoadOptions(
            campaign, levels, cli.Double("seconds", 60, 1, 24 * 3600), pace, ServerProcesses.Parse(cli.Optional("server-pids"), "server-pids"),
            cli.Optional("out") ?? Path.Combine("results", "load.json"),
            cli.Double("target-preview-p95-ms", 300, 1, 600_000), cli.Double("target-max-wait", 1, 0, 3600), cli.Int("repeat", 1, 1, 100));
        cli.RejectUnknown();
        return options;
    }

    /// <summary>"1,2,4,8": positive whole numbers, at most 1000 each.</summary>
    public static IReadOnlyList<int> ParseLevels(string text)
    {
        var levels = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var level) || level is < 1 or > 1000)
                throw new UsageException($"Option --annotators takes numbers of people from 1 to 1000 separated by commas (one load level each), got '{text}'.");
            levels.Add(level);
        }
        return levels;
    }
}
