using System.Net;
using Microsoft.Extensions.Configuration;

namespace Hosting;

/// <summary>
/// The network side of a silo: ports, advertised address and cluster identity; <see cref="Pod"/> is set when the silo
/// runs with Kubernetes hosting (see <see cref="KubernetesHosting"/>), and the silo then listens on every interface.
/// </summary>
public sealed record SiloEndpoints(int SiloPort, int GatewayPort, IPAddress AdvertisedAddress, string ClusterId, string ServiceId, KubernetesPod? Pod = null)
{
    /// <summary>Listening on every interface is needed in a pod, whose address is not known before it starts; elsewhere only the advertised address is bound.</summary>
    public bool ListensOnAllInterfaces => Pod is not null;

    /// <summary><see cref="FromConfiguration(IConfiguration, StorageKind, Func{string, string?})"/> with the process environment.</summary>
    public static SiloEndpoints FromConfiguration(IConfiguration configuration, StorageKind storage) =>
        FromConfiguration(configuration, storage, Environment.GetEnvironmentVariable);

    /// <summary>
    /// Reads <c>Orleans:SiloPort</c> (11111), <c>Orleans:GatewayPort</c> (30000),
    /// <c>Orleans:AdvertisedIP</c> (127.0.0.1; the address other silos and clients reach this one
    /// at, PostgreSQL clustering only), <c>Orleans:ClusterId</c> and <c>Orleans:ServiceId</c>
    /// (both <c>annotation</c>; the service id is part of every stored grain state's key).
    /// With <c>Orleans:Kubernetes true</c> the pod's address is advertised and the cluster and service ids may come
    /// from the pod's environment.
    /// </summary>
    public static SiloEndpoints FromConfiguration(IConfiguration configuration, StorageKind storage, Func<string, string?> environment)
    {
        var pod = KubernetesHosting.Decide(configuration, storage, environment);
        var advertised = configuration["Orleans:AdvertisedIP"];
        return new SiloEndpoints(
            configuration.GetValue("Orleans:SiloPort", 11111),
            configuration.GetValue("Orleans:GatewayPort", 30000),
            pod?.Address ?? (string.IsNullOrWhiteSpace(advertised) ? IPAddress.Loopback : IPAddress.Parse(advertised)),
            KubernetesHosting.Identity(configuration, "Orleans:ClusterId", pod, KubernetesHosting.ClusterIdVariable, environment),
            KubernetesHosting.Identity(configuration, "Orleans:ServiceId", pod, KubernetesHosting.ServiceIdVariable, environment),
            pod);
    }
}
