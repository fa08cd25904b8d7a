using System.Diagnostics;
using System.Net;
using System.Text;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Hostile;

/// <summary>
/// Mutated JSON bodies against the hub as its own process, with a fixed seed and a time budget: every answer is a 4xx
/// or a success within 10 s, never a 5xx, and the process stays up and ready. Mutations are the kinds that broke
/// endpoints before: numbers beyond a double, lone surrogates, NUL, deep nesting, wrong types, cut and doubled bytes.
/// </summary>
public sealed class JsonFuzzTests : IAsyncLifetime
{
    private const string Key = "esk_test_json_fuzz_tests_0123456789abcdef";
    private const int Seed = 20261206;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(40);
    private readonly string _data = Directory.CreateTempSubdirectory("esign-hub-fuzz-").FullName;
    private KillableHub _hub = null!;

    public async Task InitializeAsync() => _hub = await KillableHub.StartAsync(_data, Key, new Dictionary<string, string>
    {
        ["Hub:RateLimit:PermitsPerSecond"] = "100000",
        ["Hub:RateLimit:Burst"] = "100000",
        ["Hub:RateLimit:AnonymousTrigger:PermitsPerSecondPerClient"] = "100000",
        ["Hub:RateLimit:AnonymousTrigger:PermitsPerSecondPerPath"] = "100000",
    });

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    private static readonly string[] Tokens =
    [
        "1e400", "-1e400", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"a\\u0000b\"", "null", "true", "[]", "{}", "\"\"", "0", "-0",
        "99999999999999999999999999", "\"" + new string('x', 5000) + "\"", new string('[', 300) + new string(']', 300),
        "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 201), "\"../../etc/passwd\"",
        "\"http://127.0.0.1:1/\"", "\"2001-13-45T99:99:99Z\"", "1.5", "-1", "2147483648",
    ];

    [Fact]
    public async Task Mutated_json_bodies_get_answers_below_500_within_10_seconds_and_the_hub_stays_up()
    {
        var documentId = await _hub.Http.UploadPdfAsync();
        var seeds = Seeds(documentId);
        var random = new Random(Seed);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var failures = new List<string>();
        using var client = new HttpClient { BaseAddress = _hub.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = _hub.Http.DefaultRequestHeaders.Authorization;

        while (clock.Elapsed < Budget && sent < 3000 && failures.Count < 5)
        {
            var (method, path, body) = seeds[random.Next(seeds.Count)];
            var mutated = Mutate(body, random);
            var started = Stopwatch.StartNew();
            try
            {
                using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
                {
                    Content = new ByteArrayContent(mutated) { Headers = { { "Content-Type", "application/json" } } },
                });
                if ((int)response.StatusCode >= 500)
                    failures.Add($"{method} {path} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()} for body {Show(mutated)}");
            }
            catch (TaskCanceledException)
            {
                failures.Add($"{method} {path} took over 10 s ({started.Elapsed}) for body {Show(mutated)}");
            }
            sent++;
        }

        Assert.True(failures.Count == 0, $"after {sent} requests: " + string.Join("\n", failures));
        Assert.True(sent >= 200, $"only {sent} requests fitted in the budget");
        Assert.Equal(HttpStatusCode.OK, (await _hub.Http.GetAsync("/readyz")).StatusCode);
    }

    private static List<(string Method, string Path, string Body)> Seeds(string documentId) =>
    [
        ("POST", "/v1/signature-requests", $$"""{ "document_id": "{{documentId}}", "title": "Fuzz", "signing_order": "sequential", "signers": [{ "name": "Ann", "email": "ann@example.com", "order": 1 }], "fields": [{ "type": "signature", "signer": 0, "page": 1, "x": 72, "y": 600, "width": 180, "height": 36 }], "metadata": { "deal": "D-1" }, "reminders": { "after_days": 2, "every_days": 2, "max": 3 } }"""),
        ("POST", "/v1/templates", $$"""{ "name": "T", "document_id": "{{documentId}}", "roles": ["client"], "fields": [{ "type": "signature", "role": "client", "page": 1, "x": 72, "y": 600, "width": 180, "height": 36 }] }"""),
        ("POST", "/v1/api-keys", """{ "name": "k", "scopes": ["documents:read", "signature_requests:write"] }"""),
        ("POST", "/v1/webhook-endpoints", """{ "url": "https://example.com/hooks", "events": ["signature_request.completed"], "description": "d" }"""),
        ("PATCH", "/v1/account", """{ "name": "Fuzz account", "admin_email": "ops@example.com" }"""),
        ("POST", "/v1/workflows/validate", """{ "definitionId": "fz", "name": "f", "root": { "type": "Elsa.Flowchart", "id": "r", "activities": [{ "id": "s", "type": "Elsa.Start", "version": 1 }, { "id": "w", "type": "Elsa.WriteLine", "version": 1, "text": { "typeName": "String", "expression": { "type": "JavaScript", "value": "'a' + 1" } } }], "connections": [{ "source": { "activity": "s", "port": "Done" }, "target": { "activity": "w", "port": "In" } }] } }"""),
        ("POST", "/v1/workflow-events", """{ "name": "fuzz", "correlation_id": "c-1", "payload": { "a": [1, 2.5, "x", null, true], "b": { "c": "d" } } }"""),
        ("POST", "/v1/documents", """{ "name": "x.pdf", "content_base64": "JVBERi0xLjcKJeLjz9MK" }"""),
    ];

    private static byte[] Mutate(string body, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(body).ToList();
        for (var i = random.Next(1, 4); i > 0 && bytes.Count > 0; i--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;                                        // flip a byte
                case 1: bytes.RemoveRange(at, Math.Min(random.Next(1, 20), bytes.Count - at)); break;    // cut
                case 2: bytes.InsertRange(at, bytes.Skip(at).Take(random.Next(1, 40)).ToList()); break;  // double
                default:
                    // Replace a value (after a ':' or '[' or ',') with a hostile token.
                    var colon = bytes.FindIndex(at, b => b is (byte)':' or (byte)'[' or (byte)',');
                    if (colon < 0) break;
                    var end = bytes.FindIndex(colon + 1, b => b is (byte)',' or (byte)'}' or (byte)']');
                    if (end < 0) break;
                    bytes.RemoveRange(colon + 1, end - colon - 1);
                    bytes.InsertRange(colon + 1, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
            }
        }
        return [.. bytes];
    }

    private static string Show(byte[] body) => body.Length <= 300 ? Encoding.UTF8.GetString(body) : Encoding.UTF8.GetString(body, 0, 300) + "…";
}
