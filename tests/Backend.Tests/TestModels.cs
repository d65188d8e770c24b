using Grains.Inference;

namespace Backend.Tests;

static class TestModels
{
    /// <summary>Generated models go to a per-run temporary folder; one slot per lane keeps test machines calm.</summary>
    public static readonly string ModelFolder = Path.Combine(Path.GetTempPath(), "annotation-test-models-" + Environment.ProcessId);

    public static void Configure(InferenceOptions options)
    {
        options.ModelFolder = ModelFolder;
        options.InteractiveSlots = 1;
        options.BackgroundSlots = 1;
    }
}
