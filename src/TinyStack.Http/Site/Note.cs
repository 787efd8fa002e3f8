namespace TinyStack.Http.Site;

/// <summary>One note of the /api/notes resource.</summary>
public sealed record Note(long Id, string Title, string Text, DateTimeOffset Created, DateTimeOffset Updated);
