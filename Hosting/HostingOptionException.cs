namespace Hosting;

/// <summary>Thrown for a host option that cannot work (Kubernetes hosting, health probes); the message names the option.</summary>
public sealed class HostingOptionException(string message) : Exception(message);
