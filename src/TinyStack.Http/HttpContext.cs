namespace TinyStack.Http;

/// <summary>One request and its response, with what routing found.</summary>
public sealed class HttpContext
{
    private readonly List<KeyValuePair<string, string>> _routeValues = [];

    internal HttpContext(HttpRequest request, HttpResponse response)
    {
        Request = request;
        Response = response;
    }

    public HttpRequest Request { get; }

    public HttpResponse Response { get; }

    /// <summary>The route that matched, or null (the request is then answered 404 or 405 unless a middleware answers).</summary>
    public HttpRoute? Route { get; internal set; }

    /// <summary>The methods the path supports (for 405 and OPTIONS), as a bit set over <see cref="RequestMethod"/>.</summary>
    internal int AllowedMethods { get; set; }

    /// <summary>Cancelled when the connection times out or the server stops.</summary>
    public CancellationToken Aborted { get; internal set; }

    /// <summary>A route parameter ("id" of "/notes/{id}"), or null.</summary>
    public string? GetRouteValue(string name)
    {
        foreach (KeyValuePair<string, string> value in _routeValues)
        {
            if (value.Key == name)
            {
                return value.Value;
            }
        }

        return null;
    }

    /// <summary>The Allow field value for the matched path ("GET, HEAD, OPTIONS").</summary>
    public string AllowHeader() => HttpApp.FormatAllow(AllowedMethods);

    /// <summary>Answers with a short text body (used for errors: "404 Not Found: no route for /x").</summary>
    public ValueTask WriteTextAsync(int statusCode, string text, string contentType = "text/plain; charset=utf-8")
    {
        Response.StatusCode = statusCode;
        Response.ContentType = contentType;
        return Response.WriteAsync(text);
    }

    internal List<KeyValuePair<string, string>> RouteValues => _routeValues;

    internal void Begin()
    {
        Route = null;
        AllowedMethods = 0;
        _routeValues.Clear();
    }
}
