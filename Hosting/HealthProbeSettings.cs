using Microsoft.Extensions.Configuration;

namespace Hosting;

/// <summary>
/// The stand-alone silo's probe port, <c>Health:Port</c>: off unless given, since it listens on every interface (a
/// kubelet or a load balancer probes the host's address).
/// </summary>
public sealed record HealthProbeSettings(int Port)
{
    public const string Setting = "Health:Port";

    /// <summary>The settings when <c>Health:Port</c> is given, else null; a value that is not a TCP port is refused.</summary>
    public static HealthProbeSettings? FromConfiguration(IConfiguration configuration)
    {
        var value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
            throw new HostingOptionException($"--{Setting} '{value}': give a TCP port from 1 to 65535.");
        return new HealthProbeSettings(port);
    }
}
