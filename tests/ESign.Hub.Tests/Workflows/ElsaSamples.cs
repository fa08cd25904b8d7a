namespace ESign.Hub.Tests.Workflows;

/// <summary>Hand-written definitions in Elsa 3's export shape (research doc §2.2).</summary>
internal static class ElsaSamples
{
    // Start → HttpEndpoint-style trigger → SetVariable (JavaScript) → FlowDecision → two branches
    // (WriteHttpResponse with Liquid / WriteLine) → End. Carries properties we do not model
    // (nodeId, runAsynchronously, size, toolVersion, customProperties, vertices) to prove they survive.
    public const string HttpApproval = """
    {
      "id": "a86a9f668817dcb6",
      "definitionId": "f926beb0afc8505e",
      "tenantId": null,
      "name": "HTTP approval",
      "description": "Approves large orders",
      "createdAt": "2024-04-20T17:14:34.118307+00:00",
      "version": 2,
      "toolVersion": "3.2.0.0",
      "variables": [
        { "id": "v-amount", "name": "Amount", "typeName": "Int32", "isArray": false, "value": "0",
          "storageDriverTypeName": "Elsa.Workflows.Services.WorkflowStorageDriver, Elsa.Workflows.Core" }
      ],
      "inputs": [], "outputs": [], "outcomes": [],
      "customProperties": { "Elsa:WorkflowContextProviderTypes": [] },
      "isReadonly": false, "isSystem": false, "isLatest": true, "isPublished": true,
      "options": { "autoUpdateConsumingWorkflows": false },
      "root": {
        "type": "Elsa.Flowchart", "version": 1, "id": "95a12c8ee4e8c5fc",
        "nodeId": "Workflow1:95a12c8ee4e8c5fc", "metadata": {},
        "customProperties": { "notFoundConnections": [], "canStartWorkflow": false, "runAsynchronously": false },
        "activities": [
          {
            "id": "start1", "nodeId": "Workflow1:95a12c8ee4e8c5fc:start1", "name": "Start1", "type": "Elsa.Start", "version": 1,
            "customProperties": { "canStartWorkflow": false, "runAsynchronously": false },
            "metadata": { "designer": { "position": { "x": -500, "y": 264 }, "size": { "width": 100, "height": 50 } } }
          },
          {
            "path": { "typeName": "String", "expression": { "type": "Literal", "value": "orders" } },
            "supportedMethods": { "typeName": "String[]", "expression": { "type": "Object", "value": "[\"POST\"]" } },
            "authorize": { "typeName": "Boolean", "expression": { "type": "Literal", "value": false } },
            "requestTimeout": null,
            "result": { "typeName": "Object", "memoryReference": { "id": "Result" } },
            "id": "http1", "nodeId": "Workflow1:95a12c8ee4e8c5fc:http1", "name": "HttpEndpoint1", "type": "Elsa.HttpEndpoint", "version": 1,
            "customProperties": { "canStartWorkflow": true, "runAsynchronously": false },
            "metadata": { "designer": { "position": { "x": -262.796875, "y": 264 }, "size": { "width": 176.390625, "height": 50 } } }
          },
          {
            "variable": { "id": "v-amount", "name": "Amount", "typeName": "Int32" },
            "value": { "typeName": "Object", "expression": { "type": "JavaScript", "value": "getInput().amount" } },
            "id": "set1", "name": "SetVariable1", "type": "Elsa.SetVariable", "version": 1,
            "customProperties": { "canStartWorkflow": false, "runAsynchronously": false },
            "metadata": { "designer": { "position": { "x": 0, "y": 264 } } }
          },
          {
            "condition": { "typeName": "Boolean", "expression": { "type": "JavaScript", "value": "getAmount() > 1000" } },
            "id": "decision1", "name": "FlowDecision1", "type": "Elsa.FlowDecision", "version": 1,
            "customProperties": { "canStartWorkflow": false, "runAsynchronously": false },
            "metadata": { "designer": { "position": { "x": 250, "y": 264 } } }
          },
          {
            "statusCode": { "typeName": "System.Net.HttpStatusCode, System.Net.Primitives", "expression": { "type": "Literal", "value": "Accepted" } },
            "content": { "typeName": "Object", "expression": { "type": "Liquid", "value": "Order of {{ Variables.Amount }} needs approval" } },
            "contentType": null,
            "id": "respond1", "name": "WriteHttpResponse1", "type": "Elsa.WriteHttpResponse", "version": 1,
            "customProperties": { "canStartWorkflow": false, "runAsynchronously": false },
            "metadata": { "designer": { "position": { "x": 500, "y": 150 } } }
          },
          {
            "text": { "typeName": "String", "expression": { "type": "Literal", "value": "auto-approved" } },
            "id": "log1", "name": "WriteLine1", "type": "Elsa.WriteLine", "version": 1,
            "customProperties": { "canStartWorkflow": false, "runAsynchronously": false },
            "metadata": { "designer": { "position": { "x": 500, "y": 380 } } }
          },
          {
            "id": "end1", "name": "End1", "type": "Elsa.End", "version": 1,
            "customProperties": { "canStartWorkflow": false, "runAsynchronously": false },
            "metadata": { "designer": { "position": { "x": 750, "y": 264 } } }
          }
        ],
        "connections": [
          { "source": { "activity": "start1", "port": "Done" }, "target": { "activity": "http1", "port": "In" }, "vertices": [] },
          { "source": { "activity": "http1", "port": "Done" }, "target": { "activity": "set1", "port": "In" }, "vertices": [] },
          { "source": { "activity": "set1", "port": "Done" }, "target": { "activity": "decision1", "port": "In" }, "vertices": [] },
          { "source": { "activity": "decision1", "port": "True" }, "target": { "activity": "respond1", "port": "In" }, "vertices": [] },
          { "source": { "activity": "decision1", "port": "False" }, "target": { "activity": "log1", "port": "In" }, "vertices": [{ "x": 400, "y": 380 }] },
          { "source": { "activity": "respond1", "port": "Done" }, "target": { "activity": "end1", "port": "In" }, "vertices": [] },
          { "source": { "activity": "log1", "port": "Done" }, "target": { "activity": "end1", "port": "In" }, "vertices": [] }
        ]
      }
    }
    """;

    /// <summary>A flowchart from activities and connections JSON, for focused tests.</summary>
    public static string Flowchart(string activities, string connections = "") => $$"""
    { "id": "w1", "definitionId": "d1", "name": "test", "version": 1, "variables": [],
      "root": { "type": "Elsa.Flowchart", "id": "flow1", "activities": [{{activities}}], "connections": [{{connections}}] } }
    """;

    public static string Activity(string id, string type, string extra = "") =>
        $$"""{ "id": "{{id}}", "type": "{{type}}", "name": "{{id}}", "version": 1{{(extra.Length > 0 ? ", " + extra : "")}} }""";

    public static string Link(string source, string sourcePort, string target, string targetPort = "In") =>
        $$"""{ "source": { "activity": "{{source}}", "port": "{{sourcePort}}" }, "target": { "activity": "{{target}}", "port": "{{targetPort}}" } }""";

    public static string Literal(string name, string value) =>
        $"\"{name}\": {{ \"typeName\": \"String\", \"expression\": {{ \"type\": \"Literal\", \"value\": \"{value}\" }} }}";

    public static string Prop(string name, string json) => $"\"{name}\": {json}";
}
