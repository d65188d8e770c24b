namespace Backend.Tests.Storage;

/// <summary>A test-only grain keeping one short text in the "annotation" storage provider.</summary>
public interface INoteGrain : IGrainWithStringKey
{
    Task Write(string text);

    Task<NoteState> Read();
}

[GenerateSerializer]
public sealed class NoteState
{
    [Id(0)] public string? Text { get; set; }

    [Id(1)] public int Writes { get; set; }
}

public sealed class NoteGrain([PersistentState("note", "annotation")] IPersistentState<NoteState> note) : Grain, INoteGrain
{
    public async Task Write(string text)
    {
        note.State.Text = text;
        note.State.Writes++;
        await note.WriteStateAsync();
    }

    public Task<NoteState> Read() => Task.FromResult(note.State);
}
