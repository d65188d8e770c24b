using System.Collections.Concurrent;

namespace ApiGateway.Security;

/// <summary>
/// Bounds how many unknown bearer tokens one client address may try per minute. Each try costs a grain activation and a
/// storage read before any request budget applies (that needs the caller's identity), so guessing is cut off here.
/// </summary>
public sealed class UnknownTokenLimit(int perMinute)
{
    readonly ConcurrentDictionary<string, Window> windows = new(StringComparer.Ordinal);

    sealed record Window(DateTime Start, int Failures);

    public bool MayTry(string address, DateTime now) =>
        !windows.TryGetValue(address, out var w) || now - w.Start >= TimeSpan.FromMinutes(1) || w.Failures < perMinute;

    public void RecordFailure(string address, DateTime now)
    {
        windows.AddOrUpdate(address, _ => new Window(now, 1),
            (_, w) => now - w.Start >= TimeSpan.FromMinutes(1) ? new Window(now, 1) : w with { Failures = w.Failures + 1 });
        // Old windows go once the table grows, so many addresses cannot fill memory.
        if (windows.Count > 10_000)
            foreach (var (key, w) in windows)
                if (now - w.Start >= TimeSpan.FromMinutes(1)) windows.TryRemove(key, out _);
    }
}
