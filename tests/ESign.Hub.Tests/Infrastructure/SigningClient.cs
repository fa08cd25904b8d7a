using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ESign.Hub.Samples;

namespace ESign.Hub.Tests.Infrastructure;

/// <summary>What a signer's browser does, over the signing page's JSON endpoints.</summary>
public sealed class SigningClient(HttpClient http, string token)
{
    public string Token { get; private set; } = token;

    public static SigningClient FromUrl(HubFactory hub, string signingUrl) => new(hub.Anonymous(), new Uri(signingUrl).Segments[^1]);

    private readonly HttpClient _http = WithUserAgent(http);

    private static HttpClient WithUserAgent(HttpClient client)
    {
        if (client.DefaultRequestHeaders.UserAgent.Count == 0) client.DefaultRequestHeaders.UserAgent.ParseAdd("SignerBrowser/1.0");
        return client;
    }

    public async Task<HttpResponseMessage> StateAsync()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sign/{Token}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await _http.SendAsync(request);
    }

    public async Task<JsonNode> ReadyStateAsync() => await (await StateAsync()).ExpectAsync(HttpStatusCode.OK);

    public Task<HttpResponseMessage> ConsentAsync() => _http.PostJsonAsync($"/sign/{Token}/consent", new { });

    public Task<HttpResponseMessage> SignAsync(object body) => _http.PostJsonAsync($"/sign/{Token}/sign", body);

    public Task<HttpResponseMessage> DeclineAsync(string reason) => _http.PostJsonAsync($"/sign/{Token}/decline", new { reason });

    public Task<HttpResponseMessage> AccessCodeAsync(string code) => _http.PostJsonAsync($"/sign/{Token}/access-code", new { code });

    public Task<HttpResponseMessage> GetAsync(string relative) => _http.GetAsync($"/sign/{Token}{relative}");

    /// <summary>Consents and signs every field of this signer: a drawn signature, typed initials, text "ACME-42", boxes ticked.</summary>
    public async Task<JsonNode> ConsentAndSignAsync()
    {
        var state = await ReadyStateAsync();
        await (await ConsentAsync()).ExpectAsync(HttpStatusCode.NoContent);
        var png = Convert.ToBase64String(TestPngs.Signature());
        var values = new Dictionary<string, string>();
        foreach (var field in state["fields"]!.AsArray())
        {
            var type = (string)field!["type"]!;
            if (type == "text") values[(string)field["id"]!] = "ACME-42";
            if (type == "checkbox") values[(string)field["id"]!] = "true";
        }
        return await (await SignAsync(new
        {
            signature = new { method = "drawn", image_png_base64 = png },
            initials = new { method = "typed", image_png_base64 = png, typed_text = "AL" },
            fields = values,
        })).ExpectAsync(HttpStatusCode.OK);
    }

    public void Use(string token) => Token = token;
}
