// Action group and alert rules: dead-lettered messages, connector failures, and pollers that have
// not completed within the expected window.

@description('Azure region for the log alert rules.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Prefix for the alert rule names.')
param namePrefix string

@description('Name of the action group.')
param actionGroupName string

@description('Mail address the action group notifies; empty creates the group without receivers.')
param alertEmailAddress string

@description('Resource id of the Service Bus namespace.')
param serviceBusNamespaceId string

@description('Resource id of the Application Insights component.')
param applicationInsightsId string

@description('Poller names the app reports in its "Poll completed" log line (property poller).')
param pollerNames string[]

@description('Window in which every poller must complete at least once (ISO 8601 duration).')
param pollerAlertWindow string

var failuresQuery = loadTextContent('../queries/connector-failures.kql')
var completedPollsQuery = loadTextContent('../queries/completed-polls.kql')

// Lists each expected poller with no completed poll in the alert window, one row per poller.
var missingPollersQuery = join(
  [
    'let completed = ${completedPollsQuery};'
    'print poller = dynamic(${string(pollerNames)})'
    '| mv-expand poller to typeof(string)'
    '| where poller !in ((completed | distinct poller))'
  ],
  '\n'
)

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'bcjasci'
    enabled: true
    emailReceivers: empty(alertEmailAddress)
      ? []
      : [
          {
            name: 'operations'
            emailAddress: alertEmailAddress
            useCommonAlertSchema: true
          }
        ]
  }
}

// A dead-letter queue does not drain itself, so the alert stays fired until someone resolves it.
resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}dead-lettered-messages'
  location: 'global'
  tags: tags
  properties: {
    description: 'A queue has dead-lettered messages: the dead-letter worker could not handle them, or they expired.'
    severity: 1
    enabled: true
    scopes: [serviceBusNamespaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: false
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadletteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: ['*']
            }
          ]
        }
      ]
    }
    actions: [
      { actionGroupId: actionGroup.id }
    ]
  }
}

resource failureAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}connector-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Connector failures'
    description: 'The connector reported a business error, exhausted retries or a poison message (ConnectorFailure).'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: failuresQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            { name: 'flow', operator: 'Include', values: ['*'] }
            { name: 'category', operator: 'Include', values: ['*'] }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

resource stalledPollerAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}stalled-poller'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Poller not completing'
    description: 'A BC poller has logged no "Poll completed" within ${pollerAlertWindow}.'
    severity: 1
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: pollerAlertWindow
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: missingPollersQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            { name: 'poller', operator: 'Include', values: ['*'] }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

output actionGroupId string = actionGroup.id
