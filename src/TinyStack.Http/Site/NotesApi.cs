using System.Globalization;
using System.Text.Json;

namespace TinyStack.Http.Site;

/// <summary>
/// /api/notes: list (GET), create (POST → 201 with Location), read (GET /{id}), replace (PUT),
/// edit (PATCH), delete (DELETE → 204); 404 for an unknown id, 400 for a body that is not a JSON
/// object with string fields. Bodies are JSON: {"title": "...", "text": "..."}.
/// </summary>
public static class NotesApi
{
    private const int MaxFieldLength = 10_000;

    public static void Map(HttpApp app, NotesStore notes, JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/notes", ctx => WriteJsonAsync(ctx, 200, notes.List(), json));
        app.MapPost("/api/notes", async ctx =>
        {
            (NoteFields? fields, string? error) = await ReadFieldsAsync(ctx).ConfigureAwait(false);
            if (fields is null || fields.Text is null)
            {
                await WriteErrorAsync(ctx, 400, error ?? "a note needs a \"text\" string", json).ConfigureAwait(false);
                return;
            }

            Note? note = notes.Add(fields.Title ?? string.Empty, fields.Text);
            if (note is null)
            {
                await WriteErrorAsync(ctx, 507, "too many notes", json).ConfigureAwait(false);
                return;
            }

            ctx.Response.Headers.Set("Location", $"/api/notes/{note.Id}");
            await WriteJsonAsync(ctx, 201, note, json).ConfigureAwait(false);
        });
        app.MapGet("/api/notes/{id}", ctx =>
            TryId(ctx, out long id) && notes.Get(id) is Note note ? WriteJsonAsync(ctx, 200, note, json) : NotFound(ctx, json));
        app.MapPut("/api/notes/{id}", ctx => ChangeAsync(ctx, notes, json, replace: true));
        app.MapPatch("/api/notes/{id}", ctx => ChangeAsync(ctx, notes, json, replace: false));
        app.MapDelete("/api/notes/{id}", ctx =>
        {
            if (!TryId(ctx, out long id) || !notes.Remove(id))
            {
                return NotFound(ctx, json);
            }

            ctx.Response.StatusCode = 204;
            return ValueTask.CompletedTask;
        });
    }

    private static async ValueTask ChangeAsync(HttpContext ctx, NotesStore notes, JsonSerializerOptions json, bool replace)
    {
        if (!TryId(ctx, out long id) || notes.Get(id) is null)
        {
            await NotFound(ctx, json).ConfigureAwait(false);
            return;
        }

        (NoteFields? fields, string? error) = await ReadFieldsAsync(ctx).ConfigureAwait(false);
        if (fields is null || (replace && fields.Text is null) || (!replace && fields.Text is null && fields.Title is null))
        {
            await WriteErrorAsync(ctx, 400, error ?? (replace ? "PUT replaces the note: it needs a \"text\" string" : "PATCH needs \"title\" or \"text\""), json).ConfigureAwait(false);
            return;
        }

        Note? updated = notes.Update(id, note => replace
            ? note with { Title = fields.Title ?? string.Empty, Text = fields.Text! }
            : note with { Title = fields.Title ?? note.Title, Text = fields.Text ?? note.Text });
        if (updated is null)
        {
            await NotFound(ctx, json).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(ctx, 200, updated, json).ConfigureAwait(false);
    }

    private static bool TryId(HttpContext ctx, out long id) =>
        long.TryParse(ctx.GetRouteValue("id"), NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static async ValueTask<(NoteFields? Fields, string? Error)> ReadFieldsAsync(HttpContext ctx)
    {
        byte[] body = await ctx.Request.ReadBodyAsync(ctx.Aborted).ConfigureAwait(false);
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "the body must be a JSON object");
            }

            string? title = null;
            string? text = null;
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("title") || property.NameEquals("text"))
                {
                    if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString()!.Length > MaxFieldLength)
                    {
                        return (null, $"\"{property.Name}\" must be a string of at most {MaxFieldLength} characters");
                    }

                    if (property.NameEquals("title"))
                    {
                        title = property.Value.GetString();
                    }
                    else
                    {
                        text = property.Value.GetString();
                    }
                }
            }

            return (new NoteFields(title, text), null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON: {e.Message}");
        }
    }

    private static ValueTask NotFound(HttpContext ctx, JsonSerializerOptions json) =>
        WriteErrorAsync(ctx, 404, $"no note {ctx.GetRouteValue("id")}", json);

    private static ValueTask WriteErrorAsync(HttpContext ctx, int status, string error, JsonSerializerOptions json) =>
        WriteJsonAsync(ctx, status, new { error }, json);

    private static ValueTask WriteJsonAsync<T>(HttpContext ctx, int status, T value, JsonSerializerOptions json)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(value, json));
    }

    private sealed record NoteFields(string? Title, string? Text);
}
