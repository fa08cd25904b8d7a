using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESign.Hub.Tests.Infrastructure;

public static class HttpExtensions
{
    private static readonly JsonSerializerOptions Snake = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Snake) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostRawJsonAsync(this HttpClient http, string path, string json) =>
        http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("Empty JSON body.");

    /// <summary>Asserts the status and returns the JSON body, showing the body when the status is wrong.</summary>
    public static async Task<JsonNode> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>Asserts an RFC 9457 problem with this status and returns it.</summary>
    public static async Task<JsonNode> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var problem = await response.ExpectAsync(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]), "A problem must say what to fix in 'detail'.");
        return problem;
    }

    public static async Task<string> UploadPdfAsync(this HttpClient http, byte[]? pdf = null, string name = "contract.pdf")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(pdf ?? TestPdfs.Letter(2));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", name);
        var document = await (await http.PostAsync("/v1/documents", form)).ExpectAsync(HttpStatusCode.Created);
        return (string)document["id"]!;
    }

    public static HttpContent PdfForm(byte[] pdf, string name = "contract.pdf")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(pdf);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", name);
        return form;
    }

    /// <summary>A valid two-signer request body on <paramref name="documentId"/>; tests change what they examine.</summary>
    public static Dictionary<string, object?> SignatureRequestBody(string documentId, string order = "sequential") => new()
    {
        ["document_id"] = documentId,
        ["title"] = "Service agreement",
        ["message"] = "Please sign.",
        ["signing_order"] = order,
        ["signers"] = new object[]
        {
            new { name = "Ann Lee", email = "ann@example.com" },
            new { name = "Bo Chan", email = "bo@example.com" },
        },
        ["fields"] = new object[]
        {
            new { type = "signature", signer = 0, page = 1, x = 72, y = 600, width = 180, height = 36 },
            new { type = "date_signed", signer = 0, page = 1, x = 72, y = 640, width = 100, height = 16 },
            new { type = "signature", signer = 1, page = 2, x = 320, y = 600, width = 180, height = 36 },
        },
        ["metadata"] = new Dictionary<string, string> { ["deal_id"] = "D-1" },
    };

    public static async Task<JsonNode> CreateSignatureRequestAsync(this HttpClient http, object body) =>
        await (await http.PostJsonAsync("/v1/signature-requests", body)).ExpectAsync(HttpStatusCode.Created);
}
