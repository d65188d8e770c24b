using Segmentation.Tests.Datasets;
using Simulator;

namespace Segmentation.Tests.Ranking;

public sealed class RankingSignalsFileTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void An_eval_whose_masks_the_truth_chose_is_refused_as_training_data_for_the_ranking_and_an_observed_one_is_not()
    {
        var path = Path.Combine(temp.Path, "judged.json");
        File.WriteAllText(path, """{ "settings": { "judged_choice": "anyanswer" }, "instances": [] }""");
        var plain = Path.Combine(temp.Path, "plain.json");
        File.WriteAllText(plain, """{ "settings": { "judged_choice": null }, "instances": [] }""");
        var observed = Path.Combine(temp.Path, "observed.json");
        File.WriteAllText(observed, """{ "settings": { "judged_choice": "observe" }, "instances": [] }""");

        var error = Assert.Throws<InvalidDataException>(() => RankingCommand.ReadSignals(path));

        Assert.Contains("anyanswer", error.Message);
        Assert.Empty(RankingCommand.ReadSignals(plain));
        // An observing judge only scores the answers; the masks are the model's own.
        Assert.Empty(RankingCommand.ReadSignals(observed));
    }
}
