// Flex Consumption plan and the function app, with the app settings the connector reads. In Azure
// every connection is identity-based: the settings carry endpoints and the identity's client id,
// never a connection string or key.

import { connectorSettings, keyVaultSecretNames } from '../types.bicep'

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app.')
param appName string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('Service name in azure.yaml; azd finds the app by this tag.')
param azdServiceName string

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('Blob endpoint of the host storage account.')
param hostBlobEndpoint string

@description('Container in the host storage account that holds the app package.')
param deploymentContainerName string

@description('Host name of the Service Bus namespace.')
param serviceBusNamespaceHost string

@description('Queue for messages from BC to JASCI.')
param queueToJasci string

@description('Queue for messages from JASCI to BC.')
param queueToBc string

@description('Table endpoint of the data storage account.')
param dataTableEndpoint string

@description('Blob endpoint of the data storage account.')
param dataBlobEndpoint string

@description('Archive container in the data storage account.')
param archiveContainerName string

@description('Name of the key vault holding the BC and JASCI secrets.')
param keyVaultName string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Upper bound of instances; the BC request limits are divided by it.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Connector settings.')
param connector connectorSettings

// Each instance runs its own BC request limiter, so each gets an equal share of BC's limits.
// NOTE: with more instances than BC allows concurrent requests, each instance still gets one, and
// BC queues the excess requests instead of rejecting them.
var bcConcurrentRequestsPerInstance = max(1, connector.bcMaxConcurrentRequests / maximumInstanceCount)
var bcRequestsPer5MinutesPerInstance = max(1, connector.bcMaxRequestsPer5Minutes / maximumInstanceCount)

func keyVaultReference(vaultName string, secretName string) string =>
  '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})'

// Settings the Functions host reads. FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are
// not set: on Flex Consumption the runtime comes from functionAppConfig.
var hostSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: hostBlobEndpoint
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
}

var connectionSettings = {
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespaceHost
  QUEUE_TO_JASCI: queueToJasci
  QUEUE_TO_BC: queueToBc
  DataStorage__tableServiceUri: dataTableEndpoint
  DataStorage__blobServiceUri: dataBlobEndpoint
  ARCHIVE_CONTAINER: archiveContainerName
  AZURE_CLIENT_ID: identityClientId
}

var bcSettings = union(
  {
    CONNECTOR_MODE: connector.mode
    BC_TENANT_ID: connector.bcTenantId
    BC_ENVIRONMENT: connector.bcEnvironment
    BC_COMPANY_ID: connector.bcCompanyId
    BC_AUTH_MODE: connector.bcAuthMode
    BC_CLIENT_ID: connector.bcClientId
    BC_MAX_CONCURRENT_REQUESTS: string(bcConcurrentRequestsPerInstance)
    BC_MAX_REQUESTS_PER_5_MINUTES: string(bcRequestsPer5MinutesPerInstance)
    SALES_ORDER_POLL_SCHEDULE: connector.salesOrderPollSchedule
  },
  connector.bcAuthMode == 'clientSecret'
    ? { BC_CLIENT_SECRET: keyVaultReference(keyVaultName, keyVaultSecretNames.bcClientSecret) }
    : {}
)

var jasciSettings = union(
  {
    JASCI_BASE_URL: connector.jasciBaseUrl
    JASCI_AUTH_MODE: connector.jasciAuthMode
  },
  connector.jasciAuthMode == 'apiKey'
    ? { JASCI_API_KEY: keyVaultReference(keyVaultName, keyVaultSecretNames.jasciApiKey) }
    : {
        JASCI_TENANT_ID: connector.jasciTenantId
        JASCI_COMPANY_ID: connector.jasciCompanyId
        JASCI_USER_ID: connector.jasciUserId
        JASCI_PASSWORD: keyVaultReference(keyVaultName, keyVaultSecretNames.jasciPassword)
      },
  // Only one webhook secret is set: with a signing secret present the app checks signatures only.
  connector.jasciWebhookAuthMode == 'signature'
    ? { JASCI_WEBHOOK_SIGNING_SECRET: keyVaultReference(keyVaultName, keyVaultSecretNames.jasciWebhookSigningSecret) }
    : { JASCI_WEBHOOK_SHARED_SECRET: keyVaultReference(keyVaultName, keyVaultSecretNames.jasciWebhookSharedSecret) }
)

// Optional settings without a value are left out, so the app applies its own default.
var optionalSettings = union(
  // string(true) would give 'True', which the app rejects.
  { ALERTS_ENABLED: connector.alertsEnabled ? 'true' : 'false' },
  empty(connector.defaultWarehouseCode) ? {} : { DEFAULT_WAREHOUSE_CODE: connector.defaultWarehouseCode },
  empty(connector.alertMailFrom) ? {} : { ALERT_MAIL_FROM: connector.alertMailFrom },
  empty(connector.alertMailTo) ? {} : { ALERT_MAIL_TO: connector.alertMailTo }
)

var appSettings = union(hostSettings, connectionSettings, bcSettings, jasciSettings, optionalSettings)

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: {
        name: 'node'
        version: '22'
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: map(items(appSettings), setting => { name: setting.key, value: setting.value })
    }
  }
}

// Deployments authenticate with Entra ID; publishing user names and passwords are off.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = app.name
output resourceId string = app.id
output defaultHostName string = app.properties.defaultHostName
