using System.Net;

namespace Hosting;

/// <summary>
/// The Kubernetes pod a silo runs in, read from the environment variables the pod's manifest sets through the downward
/// API: the pod name becomes the silo name, the pod address the advertised one.
/// </summary>
public sealed record KubernetesPod(string Name, string Namespace, IPAddress Address);
