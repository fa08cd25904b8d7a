using System.Text.Json;

namespace ESign.Hub.Samples;

/// <summary>
/// A two-page service agreement: a loop of line items, conditionals, money, dates and signature text tags. Shared by
/// the tests and the benchmarks, which link this file into both projects.
/// </summary>
public static class ContractSample
{
    public const string Template =
        """
        <!doctype html>
        <html><head><meta charset="utf-8"><style>
          body { font-family: 'Liberation Sans', sans-serif; font-size: 11pt; }
          h1 { background: #1d3557; color: #fff; padding: 6px; }
          table { width: 100%; border-collapse: collapse; }
          td, th { border: 1px solid #999; padding: 4px; }
          .signatures { page-break-before: always; }
        </style></head><body>
        <h1>Service Agreement {{ contract.number }}</h1>
        <p>Between {{ customer.name }} ("Customer") and {{ provider.name }} ("Provider"), dated {{ date contract.date "d MMMM yyyy" }}.</p>
        <table>
          <tr><th>#</th><th>Service</th><th>Quantity</th><th>Price</th></tr>
          {{~ for item in contract.items ~}}
          <tr><td>{{ for.index + 1 }}</td><td>{{ item.description }}</td><td>{{ item.quantity }}</td><td>{{ money item.price contract.currency }}</td></tr>
          {{~ end ~}}
        </table>
        {{~ if contract.discount > 0 ~}}
        <p>Discount: {{ money contract.discount contract.currency }}</p>
        {{~ else ~}}
        <p>No discount applies.</p>
        {{~ end ~}}
        <p>Total: {{ money contract.total contract.currency }}</p>
        {{~ for clause in contract.clauses ~}}
        <h3>{{ for.index + 1 }}. {{ clause.title }}</h3><p>{{ clause.text }}</p>
        {{~ end ~}}
        <div class="signatures">
          <h2>Signatures</h2>
          {{~ for signer in signers ~}}
          <p>{{ signer.name }}, {{ signer.role }}</p>
          <p>[sig|req|{{ signer.id }}]</p>
          <p>Date: [date|req|{{ signer.id }}]</p>
          {{~ end ~}}
        </div>
        </body></html>
        """;

    public static JsonElement Data(string customerName = "ACME & Co") => JsonSerializer.SerializeToElement(new Dictionary<string, object>
    {
        ["contract"] = new Dictionary<string, object>
        {
            ["number"] = "SA-2026-017",
            ["date"] = "2026-03-01",
            ["currency"] = "EUR",
            ["discount"] = 150,
            ["total"] = 4588.5m,
            ["items"] = new[]
            {
                new { description = "Onboarding workshop", quantity = 1, price = 1234.5m },
                new { description = "Monthly support", quantity = 12, price = 250m },
                new { description = "Custom connector", quantity = 1, price = 504m },
            },
            ["clauses"] = Enumerable.Range(1, 5).Select(i => new
            {
                title = $"Clause {i}",
                text = string.Join(" ", Enumerable.Repeat($"The parties agree to the terms of clause {i}.", 4)),
            }).ToArray(),
        },
        ["customer"] = new { name = customerName },
        ["provider"] = new { name = "ESign Services GmbH" },
        ["signers"] = new[]
        {
            new { id = "signer1", name = "Ada Customer", role = "CEO" },
            new { id = "signer2", name = "Bob Provider", role = "CFO" },
        },
    });
}
