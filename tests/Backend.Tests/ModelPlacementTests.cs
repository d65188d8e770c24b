using Grains.Inference;

namespace Backend.Tests;

/// <summary>Which silos may hold an image and run its model calls, from what each silo announced.</summary>
public sealed class ModelPlacementTests
{
    [Fact]
    public void Gpu_silos_are_chosen_when_the_cluster_has_any()
    {
        var candidates = ModelPlacement.Candidates<string>([("a", ModelSiloKind.Cpu), ("b", ModelSiloKind.Gpu), ("c", ModelSiloKind.None), ("d", ModelSiloKind.Gpu)]);
        Assert.Equal(["b", "d"], candidates);
    }

    [Fact]
    public void Without_gpu_silos_the_cpu_silos_are_chosen_and_never_one_that_runs_no_models()
    {
        Assert.Equal(["a", "c"], ModelPlacement.Candidates<string>([("a", ModelSiloKind.Cpu), ("b", ModelSiloKind.None), ("c", ModelSiloKind.Cpu), ("d", null)]));
    }

    [Fact]
    public void Silos_not_announced_yet_are_the_last_resort_and_no_model_silo_at_all_leaves_none()
    {
        Assert.Equal(["d"], ModelPlacement.Candidates<string>([("b", ModelSiloKind.None), ("d", null)]));
        Assert.Empty(ModelPlacement.Candidates<string>([("b", ModelSiloKind.None)]));
    }

    [Theory]
    [InlineData("gpu", ModelSiloKind.Gpu)]
    [InlineData(" CPU ", ModelSiloKind.Cpu)]
    [InlineData("none", ModelSiloKind.None)]
    [InlineData("tpu", null)]
    [InlineData(null, null)]
    public void Announced_values_are_read_back(string? value, ModelSiloKind? kind) => Assert.Equal(kind, ModelPlacement.Parse(value));

    [Fact]
    public void Every_kind_is_announced_as_a_value_that_reads_back()
    {
        foreach (var kind in Enum.GetValues<ModelSiloKind>()) Assert.Equal(kind, ModelPlacement.Parse(ModelPlacement.Value(kind)));
    }

    [Fact]
    public void A_silo_that_runs_no_models_refuses_model_work()
    {
        using var host = new ModelHost(Microsoft.Extensions.Options.Options.Create(new InferenceOptions { Models = ModelSiloKind.None }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelHost>.Instance);
        var error = Assert.Throws<InvalidOperationException>(() => host.Get(Grains.Interfaces.ModelNames.Reference));
        Assert.Contains("--Inference:Models none", error.Message);
    }
}
