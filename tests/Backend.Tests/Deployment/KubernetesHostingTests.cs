using System.Net;
using Hosting;
using Microsoft.Extensions.Configuration;

namespace Backend.Tests.Deployment;

/// <summary>When a silo runs with Orleans' Kubernetes hosting, and what it then takes from the pod.</summary>
public sealed class KubernetesHostingTests
{
    static readonly Dictionary<string, string?> PodVariables = new()
    {
        ["POD_NAME"] = "annotation-silo-7d9f-abcde",
        ["POD_NAMESPACE"] = "annotation",
        ["POD_IP"] = "10.244.1.17",
        ["ORLEANS_CLUSTER_ID"] = "annotation",
        ["ORLEANS_SERVICE_ID"] = "annotation",
    };

    static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    static Func<string, string?> Environment(IReadOnlyDictionary<string, string?> variables) =>
        name => variables.TryGetValue(name, out var value) ? value : null;

    static Func<string, string?> With(string name, string? value) =>
        Environment(new Dictionary<string, string?>(PodVariables) { [name] = value });

    static readonly Func<string, string?> NoVariables = _ => null;

    [Fact]
    public void Without_the_option_and_without_pod_variables_the_endpoints_are_the_defaults()
    {
        var endpoints = SiloEndpoints.FromConfiguration(Configuration(), StorageKind.Postgres, NoVariables);

        Assert.Equal(new SiloEndpoints(11111, 30000, IPAddress.Loopback, "annotation", "annotation"), endpoints);
        Assert.False(endpoints.ListensOnAllInterfaces);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public void Pod_variables_change_nothing_unless_the_option_is_true(string? option)
    {
        (string, string)[] settings =
        [
            ("Orleans:AdvertisedIP", "10.0.0.12"), ("Orleans:SiloPort", "11200"), ("Orleans:ClusterId", "blue"),
            .. option is null ? Array.Empty<(string, string)>() : [("Orleans:Kubernetes", option)],
        ];
        var endpoints = SiloEndpoints.FromConfiguration(
            Configuration(settings), StorageKind.Postgres,
            Environment(new Dictionary<string, string?>(PodVariables) { ["ORLEANS_CLUSTER_ID"] = "green" }));

        Assert.Equal(new SiloEndpoints(11200, 30000, IPAddress.Parse("10.0.0.12"), "blue", "annotation"), endpoints);
    }

    [Fact]
    public void In_a_pod_the_pod_address_is_advertised_and_every_interface_is_bound()
    {
        var endpoints = SiloEndpoints.FromConfiguration(
            Configuration(("Orleans:Kubernetes", "true"), ("Orleans:GatewayPort", "30001")), StorageKind.Postgres, Environment(PodVariables));

        Assert.Equal(new KubernetesPod("annotation-silo-7d9f-abcde", "annotation", IPAddress.Parse("10.244.1.17")), endpoints.Pod);
        Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedAddress);
        Assert.Equal((11111, 30001), (endpoints.SiloPort, endpoints.GatewayPort));
        Assert.True(endpoints.ListensOnAllInterfaces);
    }

    [Fact]
    public void In_a_pod_the_cluster_identity_comes_from_the_pod_variables()
    {
        var endpoints = SiloEndpoints.FromConfiguration(
            Configuration(("Orleans:Kubernetes", "True")), StorageKind.Postgres,
            Environment(new Dictionary<string, string?>(PodVariables) { ["ORLEANS_CLUSTER_ID"] = "blue", ["ORLEANS_SERVICE_ID"] = "labels" }));

        Assert.Equal(("blue", "labels"), (endpoints.ClusterId, endpoints.ServiceId));
    }

    [Fact]
    public void In_a_pod_without_identity_variables_the_options_give_the_identity()
    {
        var endpoints = SiloEndpoints.FromConfiguration(
            Configuration(("Orleans:Kubernetes", "true"), ("Orleans:ClusterId", "blue")), StorageKind.Postgres,
            Environment(new Dictionary<string, string?>(PodVariables) { ["ORLEANS_CLUSTER_ID"] = null, ["ORLEANS_SERVICE_ID"] = "" }));

        Assert.Equal(("blue", "annotation"), (endpoints.ClusterId, endpoints.ServiceId));
    }

    [Fact]
    public void An_option_that_disagrees_with_the_pod_identity_is_refused_naming_both()
    {
        var error = Assert.Throws<HostingOptionException>(() => SiloEndpoints.FromConfiguration(
            Configuration(("Orleans:Kubernetes", "true"), ("Orleans:ServiceId", "old")), StorageKind.Postgres, Environment(PodVariables)));

        Assert.Contains("--Orleans:ServiceId 'old'", error.Message);
        Assert.Contains("ORLEANS_SERVICE_ID 'annotation'", error.Message);
    }

    [Theory]
    [InlineData("POD_NAME")]
    [InlineData("POD_NAMESPACE")]
    [InlineData("POD_IP")]
    public void A_missing_pod_variable_is_named(string variable)
    {
        var error = Assert.Throws<HostingOptionException>(() => KubernetesHosting.Decide(
            Configuration(("Orleans:Kubernetes", "true")), StorageKind.Postgres, With(variable, null)));

        Assert.Contains(variable, error.Message);
        Assert.Contains("--Orleans:Kubernetes true", error.Message);
    }

    [Fact]
    public void A_pod_address_that_is_not_an_address_is_refused()
    {
        var error = Assert.Throws<HostingOptionException>(() => KubernetesHosting.Decide(
            Configuration(("Orleans:Kubernetes", "true")), StorageKind.Postgres, With("POD_IP", "pod-ip")));

        Assert.Contains("POD_IP 'pod-ip'", error.Message);
    }

    [Fact]
    public void Kubernetes_hosting_needs_postgres()
    {
        var error = Assert.Throws<HostingOptionException>(() => KubernetesHosting.Decide(
            Configuration(("Orleans:Kubernetes", "true")), StorageKind.Sqlite, Environment(PodVariables)));

        Assert.Contains("--storage postgres", error.Message);
    }

    [Fact]
    public void An_advertised_address_cannot_be_given_in_a_pod()
    {
        var error = Assert.Throws<HostingOptionException>(() => KubernetesHosting.Decide(
            Configuration(("Orleans:Kubernetes", "true"), ("Orleans:AdvertisedIP", "10.0.0.12")), StorageKind.Postgres, Environment(PodVariables)));

        Assert.Contains("--Orleans:AdvertisedIP", error.Message);
    }

    [Fact]
    public void A_value_that_is_not_a_boolean_is_refused_naming_the_option()
    {
        var error = Assert.Throws<HostingOptionException>(() => KubernetesHosting.Decide(
            Configuration(("Orleans:Kubernetes", "yes")), StorageKind.Postgres, Environment(PodVariables)));

        Assert.Contains("--Orleans:Kubernetes 'yes'", error.Message);
    }
}
