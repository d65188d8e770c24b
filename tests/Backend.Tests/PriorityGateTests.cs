using Grains.Inference;

namespace Backend.Tests;

public sealed class PriorityGateTests
{
    [Fact]
    public async Task Waiters_asking_to_go_first_get_a_freed_slot_before_earlier_ordinary_waiters()
    {
        var gate = new PriorityGate(1);
        await gate.WaitAsync(first: false); // the only slot is taken

        var bulk = gate.WaitAsync(first: false);
        var soon = gate.WaitAsync(first: true);
        var bulk2 = gate.WaitAsync(first: false);
        Assert.False(bulk.IsCompleted || soon.IsCompleted || bulk2.IsCompleted);

        gate.Release();
        await soon.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(bulk.IsCompleted);

        gate.Release();
        await bulk.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(bulk2.IsCompleted);

        gate.Release();
        await bulk2.WaitAsync(TimeSpan.FromSeconds(5));
        gate.Release();
        // The slot is free again: the next waiter passes at once.
        Assert.True(gate.WaitAsync(first: false).IsCompleted);
    }
}
