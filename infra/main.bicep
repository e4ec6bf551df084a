// Deployment of the Business Central to JASCI connector into one resource group, azd-style:
// `azd up` provisions this template with main.parameters.json and then deploys the code.

targetScope = 'subscription'

import { connectorSettings, keyVaultSecretNames } from 'types.bicep'

@minLength(1)
@maxLength(64)
@description('azd environment name; part of the resource group name and of the resource name hash.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. Flex Consumption must be available there.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Principal id of the deployer, who gets Key Vault Secrets Officer to set the secrets. Empty skips it.')
param principalId string = deployer().objectId

@description('Principal type of the deployer.')
@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('Connector settings passed to the app.')
param connector connectorSettings

@description('Upper bound of function app instances. BC request limits are divided by it, so keep it small.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Memory of each function app instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Mail address that Azure Monitor alerts go to; empty creates the action group without receivers.')
param alertEmailAddress string = ''

@description('Poller names that must log "Poll completed" within pollerAlertWindow.')
param pollerNames string[] = ['salesOrders']

@description('Window in which every poller must complete once; keep it several poll intervals long.')
@allowed(['PT15M', 'PT30M', 'PT1H', 'PT2H', 'PT6H', 'PT12H', 'P1D'])
param pollerAlertWindow string = 'PT15M'

@description('Days the Log Analytics workspace keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Days after which archived failed messages move to the cool tier.')
@minValue(1)
param archiveCoolAfterDays int = 30

@description('Days after which archived failed messages are deleted.')
@minValue(1)
param archiveDeleteAfterDays int = 365

var abbreviations = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var azdServiceName = 'connector'
var functionAppName = '${abbreviations.functionApp}${resourceToken}'

// The queue, table and container names are the app's defaults; the app settings repeat them.
var queueToJasci = 'to-jasci'
var queueToBc = 'to-bc'
var tableNames = ['WarehouseMap', 'CarrierMap', 'SyncCursors', 'DocumentLedger', 'EventLedger', 'Failures', 'DocumentLocks']
var archiveContainerName = 'failed-messages'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbreviations.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: '${abbreviations.managedIdentity}${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    logAnalyticsName: '${abbreviations.logAnalyticsWorkspace}${resourceToken}'
    applicationInsightsName: '${abbreviations.applicationInsights}${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module serviceBus 'modules/serviceBus.bicep' = {
  name: 'serviceBus'
  scope: resourceGroup
  params: {
    name: '${abbreviations.serviceBusNamespace}${resourceToken}'
    location: location
    tags: tags
    queueNames: [queueToJasci, queueToBc]
  }
}

module hostStorage 'modules/hostStorage.bicep' = {
  name: 'hostStorage'
  scope: resourceGroup
  params: {
    name: '${abbreviations.storageAccount}host${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package-${take(functionAppName, 32)}'
  }
}

module dataStorage 'modules/dataStorage.bicep' = {
  name: 'dataStorage'
  scope: resourceGroup
  params: {
    name: '${abbreviations.storageAccount}data${resourceToken}'
    location: location
    tags: tags
    tableNames: tableNames
    archiveContainerName: archiveContainerName
    archiveCoolAfterDays: archiveCoolAfterDays
    archiveDeleteAfterDays: archiveDeleteAfterDays
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  scope: resourceGroup
  params: {
    name: '${abbreviations.keyVault}${resourceToken}'
    location: location
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: resourceGroup
  params: {
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    hostStorageName: hostStorage.outputs.name
    dataStorageName: dataStorage.outputs.name
    archiveContainerName: dataStorage.outputs.archiveContainerName
    serviceBusNamespaceName: serviceBus.outputs.name
    queueNames: serviceBus.outputs.queueNames
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: resourceGroup
  // The host reads storage and Key Vault as soon as it starts, so the roles must exist first.
  dependsOn: [roles]
  params: {
    planName: '${abbreviations.appServicePlan}${resourceToken}'
    appName: functionAppName
    location: location
    tags: tags
    azdServiceName: azdServiceName
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    hostBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainerName: hostStorage.outputs.deploymentContainerName
    serviceBusNamespaceHost: serviceBus.outputs.fullyQualifiedNamespace
    queueToJasci: queueToJasci
    queueToBc: queueToBc
    dataTableEndpoint: dataStorage.outputs.tableEndpoint
    dataBlobEndpoint: dataStorage.outputs.blobEndpoint
    archiveContainerName: dataStorage.outputs.archiveContainerName
    keyVaultName: keyVault.outputs.name
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    connector: connector
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    namePrefix: '${abbreviations.alertRule}${resourceToken}-'
    actionGroupName: '${abbreviations.actionGroup}${resourceToken}'
    alertEmailAddress: alertEmailAddress
    serviceBusNamespaceId: serviceBus.outputs.resourceId
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    pollerNames: pollerNames
    pollerAlertWindow: pollerAlertWindow
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    displayName: 'BC and JASCI connector (${environmentName})'
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    serviceBusNamespaceId: serviceBus.outputs.resourceId
  }
}

// Key Vault secrets the app settings reference for the chosen auth modes; docs/deploy.md sets them.
var referencedSecretNames = filter(
  [
    connector.bcAuthMode == 'clientSecret' ? keyVaultSecretNames.bcClientSecret : ''
    connector.jasciAuthMode == 'apiKey' ? keyVaultSecretNames.jasciApiKey : keyVaultSecretNames.jasciPassword
    connector.jasciWebhookAuthMode == 'signature'
      ? keyVaultSecretNames.jasciWebhookSigningSecret
      : keyVaultSecretNames.jasciWebhookSharedSecret
  ],
  name => !empty(name)
)

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_CONNECTOR_NAME string = functionApp.outputs.name
output CONNECTOR_WEBHOOK_URL string = 'https://${functionApp.outputs.defaultHostName}/api/jasci/events'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_REFERENCED_NAMES string[] = referencedSecretNames
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_SERVICE_BUS_NAMESPACE string = serviceBus.outputs.name
output AZURE_DATA_STORAGE_ACCOUNT string = dataStorage.outputs.name
