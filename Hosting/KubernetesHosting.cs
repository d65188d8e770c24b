using System.Net;
using Microsoft.Extensions.Configuration;

namespace Hosting;

/// <summary>
/// Whether a silo runs with Orleans' Kubernetes hosting, decided by <c>Orleans:Kubernetes</c> (<c>true</c> or
/// <c>false</c>, default off, so nothing changes outside Kubernetes whatever the environment holds). When on, the pod
/// (<c>POD_NAME</c>, <c>POD_NAMESPACE</c>, <c>POD_IP</c>) names and addresses the silo, and <c>ORLEANS_CLUSTER_ID</c>
/// and <c>ORLEANS_SERVICE_ID</c>, when set, give the cluster identity. Membership stays in PostgreSQL.
/// </summary>
public static class KubernetesHosting
{
    public const string Setting = "Orleans:Kubernetes";
    public const string PodNameVariable = "POD_NAME";
    public const string PodNamespaceVariable = "POD_NAMESPACE";
    public const string PodAddressVariable = "POD_IP";
    public const string ClusterIdVariable = "ORLEANS_CLUSTER_ID";
    public const string ServiceIdVariable = "ORLEANS_SERVICE_ID";

    /// <summary>
    /// The pod this silo runs in when <c>Orleans:Kubernetes</c> is true, else null. <paramref name="environment"/> reads
    /// an environment variable (the process environment in the hosts: Orleans' Kubernetes package reads the same).
    /// </summary>
    public static KubernetesPod? Decide(IConfiguration configuration, StorageKind storage, Func<string, string?> environment)
    {
        var setting = configuration[Setting];
        if (string.IsNullOrWhiteSpace(setting)) return null;
        if (!bool.TryParse(setting.Trim(), out var on))
            throw new HostingOptionException($"--{Setting} '{setting}': use true or false.");
        if (!on) return null;
        if (storage != StorageKind.Postgres)
            throw new HostingOptionException(
                $"--{Setting} true needs --storage postgres: silos in Kubernetes keep their membership in PostgreSQL.");
        if (!string.IsNullOrWhiteSpace(configuration["Orleans:AdvertisedIP"]))
            throw new HostingOptionException(
                $"--Orleans:AdvertisedIP cannot be given with --{Setting} true: the pod's address ({PodAddressVariable}) is advertised.");

        var name = Required(environment, PodNameVariable, "metadata.name");
        var podNamespace = Required(environment, PodNamespaceVariable, "metadata.namespace");
        var address = Required(environment, PodAddressVariable, "status.podIP");
        if (!IPAddress.TryParse(address, out var parsed))
            throw new HostingOptionException($"{PodAddressVariable} '{address}' is not an IP address (--{Setting} true).");
        return new KubernetesPod(name, podNamespace, parsed);
    }

    /// <summary>
    /// The cluster or service id of a silo: in a pod, the Kubernetes variable when set (it must then agree with the
    /// option, if that is given too); otherwise the option, else <c>annotation</c>.
    /// </summary>
    public static string Identity(IConfiguration configuration, string option, KubernetesPod? pod, string variable, Func<string, string?> environment)
    {
        var configured = configuration[option] is { Length: > 0 } value ? value : null;
        var fromPod = pod is null ? null : environment(variable) is { Length: > 0 } podValue ? podValue : null;
        if (configured is not null && fromPod is not null && configured != fromPod)
            throw new HostingOptionException(
                $"--{option} '{configured}' and {variable} '{fromPod}' disagree: give one, or the same value to both.");
        return fromPod ?? configured ?? "annotation";
    }

    static string Required(Func<string, string?> environment, string variable, string field) =>
        environment(variable) is { Length: > 0 } value
            ? value.Trim()
            : throw new HostingOptionException(
                $"--{Setting} true needs the environment variable {variable} (set it from the pod's {field} with the downward API).");
}
