using System.Text;

namespace TinyStack.Http;

/// <summary>
/// An application: routes (method + path pattern → handler) and middleware around them.
/// Routing answers what no route takes: 404 when no route has the path, 405 with Allow when routes
/// have the path but not the method, and OPTIONS with 204 and Allow. HEAD is served by the GET
/// route when there is no HEAD route (the server sends the head without the body).
/// </summary>
/// <example>
/// <code>
/// HttpApp app = new();
/// app.MapGet("/notes/{id}", async ctx => await ctx.Response.WriteAsync($"note {ctx.GetRouteValue("id")}"));
/// await using HttpServer server = HttpServer.Start(host, 80, app);
/// </code>
/// </example>
public sealed class HttpApp
{
    private readonly List<HttpRoute> _routes = [];
    private readonly List<HttpMiddleware> _middleware = [];
    private HttpHandler? _pipeline;

    public IReadOnlyList<HttpRoute> Routes => _routes;

    public HttpRoute MapGet(string pattern, HttpHandler handler) => Map(RequestMethod.Get, pattern, handler);

    public HttpRoute MapHead(string pattern, HttpHandler handler) => Map(RequestMethod.Head, pattern, handler);

    public HttpRoute MapPost(string pattern, HttpHandler handler) => Map(RequestMethod.Post, pattern, handler);

    public HttpRoute MapPut(string pattern, HttpHandler handler) => Map(RequestMethod.Put, pattern, handler);

    public HttpRoute MapPatch(string pattern, HttpHandler handler) => Map(RequestMethod.Patch, pattern, handler);

    public HttpRoute MapDelete(string pattern, HttpHandler handler) => Map(RequestMethod.Delete, pattern, handler);

    public HttpRoute MapOptions(string pattern, HttpHandler handler) => Map(RequestMethod.Options, pattern, handler);

    /// <summary>Adds a route. Routes are tried in the order added; the first match wins.</summary>
    public HttpRoute Map(RequestMethod method, string pattern, HttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfServing();
        HttpRoute route = new(method, new RoutePattern(pattern), handler);
        _routes.Add(route);
        return route;
    }

    /// <summary>Adds middleware; the first added runs outermost.</summary>
    public void Use(HttpMiddleware middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        ThrowIfServing();
        _middleware.Add(middleware);
    }

    /// <summary>"GET, HEAD, POST" for a bit set over <see cref="RequestMethod"/>.</summary>
    public static string FormatAllow(int methods)
    {
        StringBuilder text = new();
        foreach (RequestMethod method in Enum.GetValues<RequestMethod>())
        {
            if ((methods & (1 << (int)method)) != 0)
            {
                text.Append(text.Length == 0 ? string.Empty : ", ").Append(method.ToString().ToUpperInvariant());
            }
        }

        return text.ToString();
    }

    /// <summary>Finds the route for the request and the methods its path allows.</summary>
    internal void Route(HttpContext context)
    {
        RequestMethod method = context.Request.Method;
        string path = context.Request.Path;
        HttpRoute? chosen = null;
        HttpRoute? getForHead = null;
        int allowed = 0;
        foreach (HttpRoute route in _routes)
        {
            bool isCandidate = chosen is null && (route.Method == method || (method == RequestMethod.Head && route.Method == RequestMethod.Get && getForHead is null));
            if (!route.Pattern.TryMatch(path, isCandidate ? context.RouteValues : null))
            {
                continue;
            }

            allowed |= 1 << (int)route.Method;
            if (isCandidate)
            {
                if (route.Method == method)
                {
                    chosen = route;
                    if (getForHead is not null)
                    {
                        // An explicit HEAD route wins over the GET one found first: keep only its values.
                        context.RouteValues.Clear();
                        route.Pattern.TryMatch(path, context.RouteValues);
                    }
                }
                else
                {
                    getForHead = route;
                }
            }
        }

        if (allowed != 0)
        {
            if ((allowed & (1 << (int)RequestMethod.Get)) != 0)
            {
                allowed |= 1 << (int)RequestMethod.Head;
            }

            allowed |= 1 << (int)RequestMethod.Options;
        }

        context.Route = chosen ?? getForHead;
        context.AllowedMethods = allowed;
    }

    /// <summary>Runs the middleware and the routed handler (or the 404/405/OPTIONS answer).</summary>
    internal ValueTask InvokeAsync(HttpContext context)
    {
        if (_pipeline is null)
        {
            HttpHandler pipeline = Endpoint;
            for (int i = _middleware.Count - 1; i >= 0; i--)
            {
                HttpMiddleware middleware = _middleware[i];
                HttpHandler next = pipeline;
                pipeline = c => middleware(c, next);
            }

            _pipeline = pipeline;
        }

        return _pipeline(context);
    }

    private static ValueTask Endpoint(HttpContext context)
    {
        if (context.Route is HttpRoute route)
        {
            return route.Handler(context);
        }

        HttpResponse response = context.Response;
        if (context.AllowedMethods == 0)
        {
            return context.WriteTextAsync(404, $"404 Not Found: {context.Request.Path}\n");
        }

        response.Headers.Set("Allow", context.AllowHeader());
        if (context.Request.Method == RequestMethod.Options)
        {
            response.StatusCode = 204;
            return ValueTask.CompletedTask;
        }

        return context.WriteTextAsync(405, $"405 Method Not Allowed: {context.Request.Method.ToString().ToUpperInvariant()} {context.Request.Path} (allowed: {context.AllowHeader()})\n");
    }

    private void ThrowIfServing()
    {
        if (_pipeline is not null)
        {
            throw new InvalidOperationException("Routes and middleware must be added before the app serves its first request.");
        }
    }
}
