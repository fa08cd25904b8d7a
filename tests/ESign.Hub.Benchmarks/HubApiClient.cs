using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ESign.Hub.Benchmarks;

/// <summary>What one request came to: success, or the status (0 when no response) and body that explain the failure.</summary>
public readonly record struct RequestOutcome(bool Succeeded, int Status, string? Error);

/// <summary>Outcome of a create that also needs the new request's id (null unless it succeeded).</summary>
public readonly record struct CreatedRequest(RequestOutcome Outcome, string? Id);

/// <summary>The hub calls the benchmark makes, over one pooled HttpClient to the hub's loopback address.</summary>
public sealed class HubApiClient : IDisposable
{
    private const string CounterPlaceholder = "__COUNTER__";

    private readonly HttpClient _http;
    private byte[] _bodyPrefix = [];
    private byte[] _bodySuffix = [];
    private long _counter;

    public HttpClient Http => _http;

    public HubApiClient(Uri baseAddress, string apiKey, int concurrency)
    {
        var handler = new SocketsHttpHandler
        {
            // Enough connections that the client never queues requests behind its own pool.
            MaxConnectionsPerServer = Math.Max(concurrency, 256),
            // Keep connections for the whole run: reconnecting would add handshakes to the measured latency.
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // Only the loopback hub is contacted; a proxy from the environment must not sit in between.
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            // Bounds every request, so every phase ends even if the hub stops answering.
            Timeout = TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>Uploads the PDF as JSON (base64) and returns the new document's id.</summary>
    public async Task<string> UploadDocumentAsync(byte[] pdf, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { name = "bench.pdf", content_base64 = Convert.ToBase64String(pdf) });
        using var response = await _http.PostAsync("v1/documents", JsonContent(body), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Uploading the PDF failed: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("id").GetString()
            ?? throw new InvalidOperationException($"The upload response has no id: {text}");
    }

    /// <summary>
    /// Serializes the create body once, split around the metadata counter, so each request only concatenates bytes:
    /// on a 2-core machine the load generator's own CPU use competes with the hub's.
    /// </summary>
    public void PrepareSignatureRequestBody(string documentId)
    {
        var template = new
        {
            document_id = documentId,
            title = "Benchmark agreement",
            signing_order = "sequential",
            signers = new[]
            {
                new { name = "Ann Lee", email = "ann@example.com" },
                new { name = "Bo Chan", email = "bo@example.com" },
            },
            fields = new[]
            {
                new { type = "signature", signer = 0, page = 1, x = 72, y = 600, width = 180, height = 36 },
                new { type = "signature", signer = 1, page = 1, x = 320, y = 600, width = 180, height = 36 },
            },
            metadata = new { deal_id = CounterPlaceholder },
        };
        var json = JsonSerializer.Serialize(template);
        var at = json.IndexOf(CounterPlaceholder, StringComparison.Ordinal);
        _bodyPrefix = Encoding.UTF8.GetBytes(json[..at]);
        _bodySuffix = Encoding.UTF8.GetBytes(json[(at + CounterPlaceholder.Length)..]);
    }

    /// <summary>POST /v1/signature-requests with a fresh deal_id; success is 201 Created.</summary>
    public async Task<RequestOutcome> CreateSignatureRequestAsync(CancellationToken ct)
    {
        var body = NextSignatureRequestBody();
        try
        {
            using var response = await _http.PostAsync("v1/signature-requests", JsonContent(body), ct);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                // Read the body to the end so the connection goes back to the pool ready for the next request.
                await response.Content.CopyToAsync(Stream.Null, ct);
                return new RequestOutcome(true, 201, null);
            }
            return new RequestOutcome(false, (int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new RequestOutcome(false, 0, $"timed out after {_http.Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return new RequestOutcome(false, 0, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// POST /v1/signature-requests like <see cref="CreateSignatureRequestAsync"/>, and returns the new request's id
    /// (read from the response with a forward-only reader: the id is its first property).
    /// </summary>
    public async Task<CreatedRequest> CreateSignatureRequestWithIdAsync(CancellationToken ct)
    {
        try
        {
            using var response = await _http.PostAsync("v1/signature-requests", JsonContent(NextSignatureRequestBody()), ct);
            if (response.StatusCode != HttpStatusCode.Created)
                return new CreatedRequest(new RequestOutcome(false, (int)response.StatusCode, await response.Content.ReadAsStringAsync(ct)), null);
            var json = await response.Content.ReadAsByteArrayAsync(ct);
            return TopLevelString(json, "id") is { } id
                ? new CreatedRequest(new RequestOutcome(true, 201, null), id)
                : new CreatedRequest(new RequestOutcome(false, 201, "the 201 response has no id"), null);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new CreatedRequest(new RequestOutcome(false, 0, $"timed out after {_http.Timeout.TotalSeconds:0} s"), null);
        }
        catch (HttpRequestException e)
        {
            return new CreatedRequest(new RequestOutcome(false, 0, $"{e.GetType().Name}: {e.Message}"), null);
        }
    }

    /// <summary>DELETE /v1/signature-requests/{id}; success is 200 OK.</summary>
    public async Task<RequestOutcome> CancelSignatureRequestAsync(string id, CancellationToken ct)
    {
        try
        {
            using var response = await _http.DeleteAsync("v1/signature-requests/" + Uri.EscapeDataString(id), ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                await response.Content.CopyToAsync(Stream.Null, ct);
                return new RequestOutcome(true, 200, null);
            }
            return new RequestOutcome(false, (int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new RequestOutcome(false, 0, $"timed out after {_http.Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return new RequestOutcome(false, 0, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>POST /v1/webhook-endpoints for every event type; returns the endpoint id and its signing secret.</summary>
    public async Task<(string Id, string Secret)> CreateWebhookEndpointAsync(Uri url, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { url = url.ToString(), events = Array.Empty<string>(), description = "benchmark receiver" });
        using var response = await _http.PostAsync("v1/webhook-endpoints", JsonContent(body), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Creating the webhook endpoint failed: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        var id = json.RootElement.GetProperty("id").GetString();
        var secret = json.RootElement.GetProperty("secret").GetString();
        return id is not null && secret is not null
            ? (id, secret)
            : throw new InvalidOperationException($"The webhook endpoint response lacks id or secret: {text}");
    }

    public void Dispose() => _http.Dispose();

    private byte[] NextSignatureRequestBody()
    {
        var counter = Encoding.ASCII.GetBytes(Interlocked.Increment(ref _counter).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var body = new byte[_bodyPrefix.Length + counter.Length + _bodySuffix.Length];
        _bodyPrefix.CopyTo(body, 0);
        counter.CopyTo(body, _bodyPrefix.Length);
        _bodySuffix.CopyTo(body, _bodyPrefix.Length + counter.Length);
        return body;
    }

    /// <summary>The string value of a property of the top-level object, or null; stops reading as soon as it is found.</summary>
    private static string? TopLevelString(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(name))
                return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            // Step over nested objects and arrays whole (the buffer is complete, so TrySkip always succeeds).
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= 1)
                reader.TrySkip();
        }
        return null;
    }

    private static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        // A new header value per request: header objects are mutable and requests run concurrently.
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
