// Azure Monitor workbook with the flows' throughput, latency and failures.

@description('Azure region.')
param location string

@description('Tags applied to the workbook.')
param tags object

@description('Display name shown in the portal.')
param displayName string

@description('Resource id of the Application Insights component the queries run against.')
param applicationInsightsId string

@description('Resource id of the Service Bus namespace whose queue metrics are charted.')
param serviceBusNamespaceId string

var failuresQuery = loadTextContent('../queries/connector-failures.kql')
var completedPollsQuery = loadTextContent('../queries/completed-polls.kql')

// Each function execution is one request row, named after the function.
var throughputQuery = 'requests\n| summarize executions = count() by bin(timestamp, {TimeRange:grain}), function = operation_Name\n| render timechart'
var latencyQuery = 'requests\n| summarize executions = count(), p50 = percentile(duration, 50), p95 = percentile(duration, 95), max = max(duration) by function = operation_Name\n| order by p95 desc'
var latencyTrendQuery = 'requests\n| summarize p95 = percentile(duration, 95) by bin(timestamp, {TimeRange:grain}), function = operation_Name\n| render timechart'
var failedExecutionsQuery = 'requests\n| where success == false\n| summarize failed = count() by bin(timestamp, {TimeRange:grain}), function = operation_Name\n| render timechart'
var failuresByCodeQuery = '${failuresQuery}\n| summarize failures = count(), lastSeen = max(timestamp) by flow, category, code\n| order by failures desc'
var lastPollQuery = '${completedPollsQuery}\n| summarize polls = count(), lastPoll = max(timestamp) by poller\n| extend minutesSinceLastPoll = datetime_diff(\'minute\', now(), lastPoll)'

var timeRangeParameter = {
  type: 9
  name: 'parameters'
  content: {
    version: 'KqlParameterItem/1.0'
    parameters: [
      {
        id: 'time-range'
        version: 'KqlParameterItem/1.0'
        name: 'TimeRange'
        label: 'Time range'
        type: 4
        isRequired: true
        value: { durationMs: 86400000 }
        typeSettings: {
          selectableValues: [
            { durationMs: 3600000 }
            { durationMs: 14400000 }
            { durationMs: 86400000 }
            { durationMs: 259200000 }
            { durationMs: 604800000 }
          ]
        }
      }
    ]
  }
}

func textItem(name string, markdown string) object => {
  type: 1
  name: name
  content: { json: markdown }
}

func queryItem(name string, title string, query string, visualization string, width string) object => {
  type: 3
  name: name
  customWidth: width
  content: {
    version: 'KqlItem/1.0'
    title: title
    query: query
    queryType: 0
    resourceType: 'microsoft.insights/components'
    visualization: visualization
    timeContextFromParameter: 'TimeRange'
    size: 0
  }
}

func queueMetric(metricName string) object => {
  namespace: 'microsoft.servicebus/namespaces'
  metric: 'microsoft.servicebus/namespaces--${metricName}'
  aggregation: 3
  splitBy: ['EntityName']
}

var queueMetricsItem = {
  type: 10
  name: 'queue-metrics'
  content: {
    version: 'MetricsItem/2.0'
    title: 'Queue messages (maximum per interval): active, scheduled retries and dead-lettered'
    size: 0
    chartType: 2
    resourceType: 'microsoft.servicebus/namespaces'
    metricScope: 0
    resourceIds: [serviceBusNamespaceId]
    timeContextFromParameter: 'TimeRange'
    timeContext: { durationMs: 86400000 }
    metrics: [
      queueMetric('ActiveMessages')
      queueMetric('ScheduledMessages')
      queueMetric('DeadletteredMessages')
    ]
  }
}

var workbookContent = {
  version: 'Notebook/1.0'
  items: [
    textItem('title', '# BC and JASCI connector\nThroughput, latency and failures of the flows. Each function execution is one request.')
    timeRangeParameter
    textItem('throughput-heading', '## Throughput')
    queryItem('throughput', 'Executions per function', throughputQuery, 'timechart', '100')
    queryItem('last-poll', 'Completed polls per poller', lastPollQuery, 'table', '100')
    textItem('latency-heading', '## Latency (milliseconds)')
    queryItem('latency', 'Execution time per function', latencyQuery, 'table', '50')
    queryItem('latency-trend', 'p95 execution time per function', latencyTrendQuery, 'timechart', '50')
    textItem('failures-heading', '## Failures')
    queryItem('failures-by-code', 'Connector failures by flow, category and code', failuresByCodeQuery, 'table', '50')
    queryItem('failed-executions', 'Failed executions per function', failedExecutionsQuery, 'timechart', '50')
    queueMetricsItem
  ]
  fallbackResourceIds: [applicationInsightsId]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's resource name must be a GUID.
  name: guid(applicationInsightsId, 'connector-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    version: 'Notebook/1.0'
    serializedData: string(workbookContent)
  }
}

output resourceId string = workbook.id
