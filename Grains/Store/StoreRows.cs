namespace Grains.Store;

/// <summary>An instance to import: its shard, image (for export order) and serialized initial grain state.</summary>
public sealed record NewInstance(string InstanceId, int Shard, string ImagePath, int Status, int Round, byte[] State);

public sealed record InstanceInsertResult(int Created, IReadOnlyList<StoredInstance> AlreadyStored);

/// <summary>An instance row: its grain's serialized state and version (ETag).</summary>
public sealed record StoredInstance(string InstanceId, int Shard, long Seq, string ImagePath, int Status, int Round, byte[] State, long Version);

/// <summary>What an instance grain writes: its serialized state and the columns filters read.</summary>
public sealed record InstanceStateRow(int Status, int Round, byte[] State);

public sealed record InstanceSequence(string InstanceId, long Seq);

public sealed record InstancePageCursor(string ImagePath, long Seq);
