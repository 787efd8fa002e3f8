namespace TinyStack.Http.Site;

/// <summary>The in-memory collection behind /api/notes (bounded, so a client cannot fill memory).</summary>
public sealed class NotesStore
{
    public const int MaxNotes = 10_000;

    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, Note> _notes = [];
    private long _nextId = 1;

    public IReadOnlyList<Note> List()
    {
        lock (_lock)
        {
            return [.. _notes.Values];
        }
    }

    public Note? Get(long id)
    {
        lock (_lock)
        {
            return _notes.GetValueOrDefault(id);
        }
    }

    /// <summary>Adds a note; null when the store is full.</summary>
    public Note? Add(string title, string text)
    {
        lock (_lock)
        {
            if (_notes.Count >= MaxNotes)
            {
                return null;
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            Note note = new(_nextId++, title, text, now, now);
            _notes.Add(note.Id, note);
            return note;
        }
    }

    /// <summary>Replaces or edits a note; null when there is none with that id.</summary>
    public Note? Update(long id, Func<Note, Note> change)
    {
        lock (_lock)
        {
            if (!_notes.TryGetValue(id, out Note? note))
            {
                return null;
            }

            Note updated = change(note) with { Id = id, Created = note.Created, Updated = DateTimeOffset.UtcNow };
            _notes[id] = updated;
            return updated;
        }
    }

    public bool Remove(long id)
    {
        lock (_lock)
        {
            return _notes.Remove(id);
        }
    }
}
