namespace Segmentation.Interchange;

/// <summary>A least-recently-used cache holding at most a fixed number of entries.</summary>
/// <remarks>Import files usually list the rows of one image together, so a small cache answers nearly every lookup.</remarks>
internal sealed class BoundedCache<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> nodes = new(Math.Min(capacity, 1024));
    private readonly LinkedList<(TKey Key, TValue Value)> order = new();

    public int Count => nodes.Count;

    /// <summary>The cached value of <paramref name="key"/>, or a new one from <paramref name="create"/> (which then is cached).</summary>
    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
    {
        if (nodes.TryGetValue(key, out var node))
        {
            order.Remove(node);
            order.AddFirst(node);
            return node.Value.Value;
        }
        var value = create(key);
        if (nodes.Count >= capacity)
        {
            var oldest = order.Last!;
            order.RemoveLast();
            nodes.Remove(oldest.Value.Key);
        }
        nodes[key] = order.AddFirst((key, value));
        return value;
    }
}
