namespace Grains.Interfaces;

[GenerateSerializer, Alias("ClickPolarity")]
public enum ClickPolarity
{
    Background = 0,
    Foreground = 1,
}
