using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmentation.Evaluation;
using Segmentation.Models;

namespace Simulator;

/// <summary>
/// The answer-chooser command: trains an <see cref="AnswerChooser"/> on the answers judged evaluation runs scored
/// (<c>eval --judged-choice observe|anyanswer --judged-log FILE</c>), optionally checks it call by call on objects held out
/// of training, and saves it for <c>eval --answer-chooser FILE</c>.
/// </summary>
public static class AnswerChooserCommand
{
    public static int Run(string[] args)
    {
        var cli = new CommandLine(args, new HashSet<string>());
        var files = cli.Required("logs").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (files.Length == 0) throw new UsageException("Option --logs needs at least one file.");
        var defaults = new AnswerChooserOptions();
        var options = new AnswerChooserOptions
        {
            Trees = cli.Int("trees", defaults.Trees, 1, 10_000),
            Leaves = cli.Int("leaves", defaults.Leaves, 2, 1024),
            MinExamplesPerLeaf = cli.Int("min-leaf", defaults.MinExamplesPerLeaf, 1, 100_000),
            LearningRate = cli.Double("learning-rate", defaults.LearningRate, 1e-4, 1),
            MinGain = cli.Double("min-gain", defaults.MinGain, 0, 1),
            Seed = cli.Int("seed", 1),
        };
        var folds = cli.Int("check-folds", 0, 0, 100);
        if (folds == 1) throw new UsageException("Option --check-folds must be 0 (no check) or at least 2.");
        var outPath = cli.Optional("out");
        var heldOutFiles = (cli.Optional("hold-out") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        cli.RejectUnknown();
        var heldOut = new HashSet<string>(heldOutFiles.SelectMany(HeldOutIds), StringComparer.Ordinal);

        var calls = new List<JudgedCall>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new UsageException($"--logs: file not found: {file}");
            using var reader = File.OpenText(file);
            calls.AddRange(JudgedOptionsLog.Read(reader, file));
        }
        if (heldOut.Count > 0)
        {
            var removed = calls.Where(c => heldOut.Contains(c.Instance)).Select(c => c.Instance).Distinct().Count();
            calls.RemoveAll(c => heldOut.Contains(c.Instance));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{removed} objects held out of training ({heldOut.Count} named)"));
        }
        if (calls.Count == 0) throw new UsageException("No judged call left to train on.");
        var examples = JudgedOptionsLog.Examples(calls);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"{calls.Count} calls of {calls.Select(c => c.Instance).Distinct().Count()} objects, {examples.Count} answers besides the runner's own"));
        if (folds >= 2)
        {
            var outcomes = Trained(() => AnswerChoiceCheck.CrossValidate(calls, folds, options));
            for (var k = 0; k < outcomes.Count; k++)
            {
                var o = outcomes[k];
                Console.WriteLine(string.Create(inv,
                    $"held-out fold {k}: {o.Calls} calls, {o.Changed} changed ({o.ChangedWorse} for the worse), mean IoU gain per call {o.MeanGain:F4} (the truth's choice {o.MeanTruthGain:F4})"));
            }
        }
        if (outPath is null) return 0;
        using var chooser = Trained(() => AnswerChooser.Train(examples, options));
        var dir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
        Directory.CreateDirectory(dir);
        using (var stream = File.Create(outPath))
            chooser.Save(stream);
        Console.Error.WriteLine($"Wrote {outPath}");
        return 0;
    }

    /// <summary>Training, with too little data for the forest's settings reported as the options' fault.</summary>
    private static T Trained<T>(Func<T> train)
    {
        try
        {
            return train();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"Cannot train with these logs and options (--min-leaf, --check-folds): {e.Message}");
        }
    }

    /// <summary>The instance ids of an eval result JSON, whose objects a chooser must not be trained on.</summary>
    private static IEnumerable<string> HeldOutIds(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"--hold-out: file not found: {path}");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new UsageException($"--hold-out {path}: not valid JSON: {e.Message}");
        }
        if (root?["instances"] is not JsonArray instances)
            throw new UsageException($"--hold-out {path}: no \"instances\" array; give the result JSON of an eval run.");
        return instances.Select(i => i?["id"] is JsonValue id && id.TryGetValue<string>(out var text)
            ? text
            : throw new UsageException($"--hold-out {path}: an instance without a string \"id\".")).ToList();
    }
}
