using System.Net;
using Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace Backend.Tests.Deployment;

/// <summary>
/// The PostgreSQL silo set-up with and without a pod: Orleans' Kubernetes agent is registered only in a pod, and the
/// endpoints the silo binds and advertises follow. The hosts are built, not started (no database, no Kubernetes API).
/// </summary>
public sealed class KubernetesSiloWiringTests
{
    static readonly StorageSettings Postgres =
        StorageSettings.ForPostgres("Host=127.0.0.1;Database=annotation;Username=annotation;Password=unused", applySchema: false);

    static (IHost Host, IServiceCollection Services) Build(SiloEndpoints endpoints)
    {
        var builder = Host.CreateApplicationBuilder([]);
        builder.UseOrleans(silo => silo.UseAnnotationStorage(Postgres, endpoints));
        return (builder.Build(), builder.Services);
    }

    static bool RegistersKubernetesAgent(IServiceCollection services) =>
        services.Any(d => d.ServiceType == typeof(KubernetesClusterAgent) || d.ImplementationType == typeof(KubernetesClusterAgent));

    [Fact]
    public void Outside_a_pod_the_silo_binds_its_advertised_address_and_has_no_Kubernetes_agent()
    {
        var (host, services) = Build(new SiloEndpoints(11111, 30000, IPAddress.Parse("10.0.0.12"), "blue", "annotation"));
        using (host)
        {
            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;

            Assert.False(RegistersKubernetesAgent(services));
            Assert.Equal(IPAddress.Parse("10.0.0.12"), endpoints.AdvertisedIPAddress);
            Assert.Null(endpoints.SiloListeningEndpoint);
            Assert.Null(endpoints.GatewayListeningEndpoint);
        }
    }

    [Fact]
    public void In_a_pod_the_silo_listens_on_every_interface_advertises_the_pod_and_runs_the_Kubernetes_agent()
    {
        var pod = new KubernetesPod("annotation-silo-0", "annotation", IPAddress.Parse("10.244.1.17"));
        var (host, services) = Build(new SiloEndpoints(11111, 30000, pod.Address, "blue", "svc", pod));
        using (host)
        {
            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;

            Assert.True(RegistersKubernetesAgent(services));
            Assert.Equal(pod.Address, endpoints.AdvertisedIPAddress);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 11111), endpoints.SiloListeningEndpoint);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 30000), endpoints.GatewayListeningEndpoint);
            Assert.Equal(("blue", "svc"), (cluster.ClusterId, cluster.ServiceId));
        }
    }
}
