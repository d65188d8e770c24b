using Segmentation.Masks;
using Segmentation.Simulation;

namespace Segmentation.Tests.Simulation;

public sealed class CarelessClicksTests
{
    [Fact]
    public void Careless_clicks_fall_inside_the_box_with_the_polarity_the_screen_suggests_and_repeat_with_the_seed()
    {
        var shown = BinaryMask.FromPredicate(50, 40, (x, y) => x < 25);
        var box = new BoxF(10.2, 5.7, 40.9, 30.1);

        var clicks = CarelessClicks.Draw(box, shown, 200, new Random(7));

        Assert.Equal(200, clicks.Count);
        Assert.All(clicks, c =>
        {
            Assert.InRange(c.PixelX, 10, 40);
            Assert.InRange(c.PixelY, 5, 30);
            Assert.Equal(shown[c.PixelX, c.PixelY] ? ClickLabel.Background : ClickLabel.Foreground, c.Label);
        });
        Assert.Contains(clicks, c => c.IsForeground);
        Assert.Contains(clicks, c => !c.IsForeground);
        Assert.Equal(clicks, CarelessClicks.Draw(box, shown, 200, new Random(7)));
        Assert.Throws<ArgumentException>(() => CarelessClicks.Draw(new BoxF(60, 50, 70, 60), shown, 1, new Random(1)));
    }
}
