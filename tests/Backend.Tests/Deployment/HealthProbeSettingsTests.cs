using Hosting;
using Microsoft.Extensions.Configuration;

namespace Backend.Tests.Deployment;

public sealed class HealthProbeSettingsTests
{
    static HealthProbeSettings? Read(string? port) => HealthProbeSettings.FromConfiguration(new ConfigurationBuilder()
        .AddInMemoryCollection(port is null ? [] : [KeyValuePair.Create("Health:Port", (string?)port)]).Build());

    [Fact]
    public void The_probe_port_is_off_unless_given()
    {
        Assert.Null(Read(null));
        Assert.Null(Read(" "));
    }

    [Fact]
    public void A_given_port_is_used()
    {
        Assert.Equal(new HealthProbeSettings(8081), Read("8081"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("http")]
    public void A_value_that_is_not_a_port_is_refused_naming_the_option(string value)
    {
        var error = Assert.Throws<HostingOptionException>(() => Read(value));

        Assert.Contains($"--Health:Port '{value}'", error.Message);
    }
}
