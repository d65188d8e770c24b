using Simulator;
using Simulator.Load;

namespace Segmentation.Tests.Load;

public sealed class HumanPaceTests
{
    [Theory]
    [InlineData(0, 0, 4.0)] // a good mask: a look, then accept
    [InlineData(0, 3, 8.0)] // to the first click
    [InlineData(1, 3, 3.0)] // between clicks
    [InlineData(2, 3, 3.0)]
    public void Times_average_the_paper_s_means(int clicksSoFar, int plannedClicks, double mean)
    {
        var pace = new HumanPace();
        var random = new Random(7);
        var draws = Enumerable.Range(0, 20_000).Select(_ => pace.Before(clicksSoFar, plannedClicks, random).TotalSeconds).ToArray();
        Assert.InRange(draws.Average(), mean * 0.97, mean * 1.03);
        Assert.All(draws, d => Assert.True(d > 0));
        // Spread out, as people are: the slowest tenth take well over the mean.
        Assert.True(draws.Order().ElementAt(18_000) > mean * 1.4);
    }

    [Fact]
    public void No_spread_gives_the_means_exactly_and_scaling_scales_them()
    {
        var pace = new HumanPace(Spread: 0).Scaled(0.5);
        var random = new Random(1);
        Assert.Equal(2.0, pace.Before(0, 0, random).TotalSeconds);
        Assert.Equal(4.0, pace.Before(0, 2, random).TotalSeconds);
        Assert.Equal(1.5, pace.Before(1, 2, random).TotalSeconds);
    }

    [Theory]
    [InlineData("1,2,4", new[] { 1, 2, 4 })]
    [InlineData("16", new[] { 16 })]
    [InlineData(" 3 , 5", new[] { 3, 5 })]
    public void Levels_are_parsed(string text, int[] expected) => Assert.Equal(expected, LoadOptions.ParseLevels(text));

    [Theory]
    [InlineData("0")]
    [InlineData("1,,2")]
    [InlineData("1001")]
    [InlineData("two")]
    public void Bad_levels_are_refused_naming_the_option(string text)
    {
        var error = Assert.Throws<UsageException>(() => LoadOptions.ParseLevels(text));
        Assert.Contains("--annotators", error.Message);
    }

    [Fact]
    public void The_load_options_pass_campaign_options_on_and_refuse_unknown_ones()
    {
        string[] common = ["--api", "http://127.0.0.1:5080", "--images", "img", "--masks", "gt"];
        var options = LoadOptions.Parse([.. common, "--annotators", "2,8", "--seconds", "30", "--model", "reference", "--think-first-click", "6"]);
        Assert.Equal([2, 8], options.Levels);
        Assert.Equal(8, options.Campaign.Annotators);
        Assert.Equal("reference", options.Campaign.Model);
        Assert.Equal(30, options.Seconds);
        Assert.Equal(6, options.Pace.FirstClickSeconds);
        Assert.Contains("--bogus", Assert.Throws<UsageException>(() => LoadOptions.Parse([.. common, "--bogus", "1"])).Message);
        Assert.Contains("--no-preview", Assert.Throws<UsageException>(() => LoadOptions.Parse([.. common, "--no-preview"])).Message);
        Assert.Contains("--server-pids", Assert.Throws<UsageException>(() => LoadOptions.Parse([.. common, "--server-pids", "x"])).Message);
    }
}
