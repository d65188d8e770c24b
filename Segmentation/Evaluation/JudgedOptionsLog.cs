using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmentation.Models;

namespace Segmentation.Evaluation;

/// <summary>
/// The answers a judged evaluation scored, one JSON line per model call with a previous mask: the examples an
/// <see cref="AnswerChooser"/> is trained on.
/// </summary>
public static class JudgedOptionsLog
{
    public static void Write(TextWriter writer, IEnumerable<InstanceResult> instances)
    {
        foreach (var instance in instances)
        {
            for (var call = 0; call < instance.JudgedOptions.Count; call++)
            {
                var options = instance.JudgedOptions[call];
                if (options.Count == 0) continue;
                var line = new JsonObject
                {
                    ["instance"] = instance.Id,
                    ["call"] = call,
                    ["options"] = new JsonArray(options.Select(o => (JsonNode)new JsonObject
                    {
                        ["way"] = o.Way,
                        ["value"] = Math.Round(o.Value, 6),
                        ["features"] = new JsonArray(o.Features.ToVector().Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
                    }).ToArray()),
                };
                writer.WriteLine(line.ToJsonString());
            }
        }
    }

    /// <exception cref="InvalidDataException">A line is not a judged call (the message names the line).</exception>
    public static IReadOnlyList<JudgedCall> Read(TextReader reader, string source)
    {
        var calls = new List<JudgedCall>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var node = JsonNode.Parse(line) ?? throw new InvalidDataException("empty JSON");
                var instance = node["instance"]?.GetValue<string>() ?? throw new InvalidDataException("no \"instance\"");
                var call = node["call"]?.GetValue<int>() ?? throw new InvalidDataException("no \"call\"");
                var options = (node["options"] as JsonArray ?? throw new InvalidDataException("no \"options\" array")).Select(o =>
                {
                    var way = o?["way"]?.GetValue<string>() ?? throw new InvalidDataException("an option without \"way\"");
                    var value = o["value"]?.GetValue<double>() ?? throw new InvalidDataException($"option '{way}' without \"value\"");
                    if (!double.IsFinite(value)) throw new InvalidDataException($"option '{way}' has no judged value (was the log written with a judge?)");
                    var features = (o["features"] as JsonArray ?? throw new InvalidDataException($"option '{way}' without \"features\""))
                        .Select(f => f?.GetValue<float>() ?? throw new InvalidDataException($"option '{way}' has a null feature")).ToArray();
                    return new JudgedOption(way, AnswerFeatures.FromVector(features), value);
                }).ToArray();
                if (options.Length == 0 || options[0].Way != JudgedPicks.OwnAnswer)
                    throw new InvalidDataException($"the first option must be the runner's own answer ('{JudgedPicks.OwnAnswer}')");
                calls.Add(new JudgedCall(instance, call, options));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"{source} line {number.ToString(CultureInfo.InvariantCulture)}: not a judged call ({e.Message}).", e);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{source} line {number.ToString(CultureInfo.InvariantCulture)}: not a judged call ({e.Message}).", e);
            }
        }
        return calls;
    }

    /// <summary>Every answer but the runner's own, with its gain over the runner's own answer.</summary>
    public static IReadOnlyList<AnswerExample> Examples(IEnumerable<JudgedCall> calls) =>
        calls.SelectMany(c => c.Options.Skip(1).Select(o => new AnswerExample(o.Features, Math.Clamp(o.Value - c.Options[0].Value, -1, 1)))).ToList();
}
