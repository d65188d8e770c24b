using System.Text.Json.Nodes;
using Segmentation.Evaluation;
using Segmentation.Models;
using Segmentation.Tests.Datasets;
using Simulator;

namespace Segmentation.Tests.Evaluation;

/// <summary>The answer-chooser command on a log written from made-up judged calls (no model runs).</summary>
[Collection(nameof(ConsoleOutput))]
public sealed class AnswerChooserCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>Objects 00..19, each with two calls; the answer with fewer contradicted clicks than the own answer is better by 0.2.</summary>
    private string Log()
    {
        var random = new Random(1);
        var instances = Enumerable.Range(0, 20).Select(i => new InstanceResult($"{i:D2}", [0.5, 0.6, 0.7], [0.5, 0.6, 0.7], [0, 3, 3], null, [])
        {
            JudgedOptions = [[], Call(random), Call(random)],
        });
        var path = Path.Combine(temp.Path, "answers.jsonl");
        using (var writer = File.CreateText(path))
            JudgedOptionsLog.Write(writer, instances);
        return path;
    }

    private static IReadOnlyList<JudgedOption> Call(Random random)
    {
        AnswerFeatures Features(int violations) => new() { Violations = violations, OwnViolations = 2, Score = random.NextDouble() };
        var options = new List<JudgedOption> { new(JudgedPicks.OwnAnswer, Features(2), 0.6) };
        for (var k = 0; k < 10; k++)
        {
            var violations = random.Next(0, 4);
            options.Add(new JudgedOption($"way {k}", Features(violations), violations < 2 ? 0.8 : 0.5));
        }
        return options;
    }

    [Fact]
    public void It_trains_checks_on_held_out_objects_and_saves_a_chooser_that_leaves_out_the_objects_asked()
    {
        var log = Log();
        var heldOut = Path.Combine(temp.Path, "result.json");
        File.WriteAllText(heldOut, new JsonObject { ["instances"] = new JsonArray(new JsonObject { ["id"] = "00" }, new JsonObject { ["id"] = "01" }, new JsonObject { ["id"] = "not-in-the-log" }) }.ToJsonString());
        var chooserPath = Path.Combine(temp.Path, "chooser.bin");
        var output = new StringWriter();
        var before = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(0, AnswerChooserCommand.Run(["--logs", log, "--hold-out", heldOut, "--min-leaf", "5", "--check-folds", "2", "--out", chooserPath]));
        }
        finally
        {
            Console.SetOut(before);
        }

        var text = output.ToString();
        Assert.Contains("36 calls of 18 objects", text);
        Assert.Contains("2 objects held out of training (3 named)", text);
        Assert.Contains("held-out fold 0:", text);
        Assert.Contains("held-out fold 1:", text);
        using var stream = File.OpenRead(chooserPath);
        using var chooser = AnswerChooser.Load(stream);
        Assert.Equal(360, chooser.TrainingExamples);
        Assert.True(chooser.EstimatedGain(new AnswerFeatures { Violations = 0, OwnViolations = 2 }) > chooser.MinGain);
        Assert.True(chooser.EstimatedGain(new AnswerFeatures { Violations = 3, OwnViolations = 2 }) < 0);
    }

    [Theory]
    [InlineData("--logs", "--logs", "missing.jsonl")]
    [InlineData("--check-folds", "--logs", "LOG", "--check-folds", "1")]
    [InlineData("--hold-out", "--logs", "LOG", "--hold-out", "missing.json")]
    [InlineData("--min-gain", "--logs", "LOG", "--min-gain", "-1")]
    [InlineData("--min-leaf", "--logs", "LOG", "--min-leaf", "1000", "--check-folds", "2")]
    public void Bad_options_are_usage_errors_naming_the_option(string named, params string[] options)
    {
        var log = Log();
        var args = options.Select(o => o == "LOG" ? log : o).ToArray();
        var error = Assert.Throws<UsageException>(() => AnswerChooserCommand.Run(args));
        Assert.Contains(named, error.Message);
    }
}
