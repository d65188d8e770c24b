using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmentation.Evaluation;
using Segmentation.Evaluation.Datasets;
using Serilog;

namespace Simulator;

/// <summary>
/// The paper's design-space study (section 3.2) with our model: every variant of <see cref="DesignStudy"/> on the
/// same objects, each image encoded once for all of them; tables, one figure per study and the figures as JSON.
/// <c>--replot DIR</c> redraws the tables and figures from a finished study's JSON without running the model.
/// </summary>
public static class StudyCommand
{
    public static int Run(string[] args)
    {
        var cli = new CommandLine(args, EvalCommand.ModelFlags);
        if (cli.Optional("replot") is { } replotDir)
        {
            cli.RejectUnknown();
            return Replot(replotDir);
        }
        var (imagesDir, masksDir, cocoFile, ignoreValue) = SimulatedAnnotatorOptions.Dataset(cli);
        var every = cli.Int("every", 1, min: 1);
        var baseline = new ProtocolSettings
        {
            Seed = cli.Int("seed", 1),
            BoundaryTolerancePx = cli.Double("boundary-tolerance", 5, 0, 1000),
            Boxes = SimulatedAnnotatorOptions.Boxes(cli),
        };
        var outDir = cli.Optional("out-dir") ?? Path.Combine("results", "study");
        var modelFactory = EvalCommand.ModelFactory(cli, cli.Optional("model") ?? "sam");
        cli.RejectUnknown();

        var (instances, loadProblems) = SimulatedAnnotatorOptions.LoadInstances(imagesDir, masksDir, cocoFile, ignoreValue, every);

        var variants = DesignStudy.Variants(baseline);
        var distinct = DesignStudy.DistinctSettings(variants);
        Log.Information("Design-space study: {Variants} settings ({Distinct} distinct runs) on {Count} instances (every {Every})",
            variants.Count, distinct.Count, instances.Count, every);

        using var model = modelFactory();
        var watch = Stopwatch.StartNew();
        var reports = EvaluationRunner.RunAll(model, distinct, instances, loadProblems, new ProgressBar("study"));
        watch.Stop();
        foreach (var problem in reports[0].Problems.Skip(loadProblems.Count))
            Log.Warning("Skipped {Item}: {Message}", problem.Item, problem.Message);
        if (reports[0].Instances.Count == 0)
            throw new InvalidDataException("No instance could be studied: every one was skipped (see the warnings above).");
        var bySettings = distinct.Zip(reports).ToDictionary(p => p.First, p => p.Second);
        var outcomes = variants.Select(v => StudyOutcome.Of(v, bySettings[v.Settings])).ToArray();

        var json = new JsonObject
        {
            ["model"] = model.Name,
            ["instances"] = reports[0].Instances.Count,
            ["every"] = every,
            ["seed"] = baseline.Seed,
            ["elapsed_s"] = Math.Round(watch.Elapsed.TotalSeconds),
            ["runs"] = DesignStudy.Json(outcomes),
        };
        Write(outDir, outcomes, model.Name, reports[0].Instances.Count, json);
        return 0;
    }

    private static int Replot(string dir)
    {
        var path = Path.Combine(dir, "study.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"--replot: no study.json in {dir}", path);
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path} is not a JSON object.");
        var runs = json["runs"] as JsonArray ?? throw new InvalidDataException($"{path} has no 'runs' list.");
        var outcomes = DesignStudy.FromJson(runs, DesignStudy.Variants(new ProtocolSettings { Seed = (int?)json["seed"] ?? 1 }));
        Write(dir, outcomes, (string?)json["model"] ?? "model", (int?)json["instances"] ?? 0, json);
        return 0;
    }

    private static void Write(string outDir, IReadOnlyList<StudyOutcome> outcomes, string modelName, int instances, JsonObject json)
    {
        Directory.CreateDirectory(outDir);
        // The figures first: they are what a long run must not lose if drawing the tables fails.
        File.WriteAllText(Path.Combine(outDir, "study.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var tables = DesignStudy.Tables(outcomes);
        File.WriteAllText(Path.Combine(outDir, "tables.md"), tables);
        foreach (var (study, svg) in DesignStudy.Figures(outcomes, modelName, instances))
            File.WriteAllText(Path.Combine(outDir, study + ".svg"), svg);
        Console.WriteLine(tables);
        Log.Information("Wrote the study's tables, figures and JSON to {Folder}", outDir);
    }
}
