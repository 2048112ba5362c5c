# hybridsync: CRM-server script for Dynamics 365 (on-premises) <-> Exchange Online server-to-server trust.
# Cloud: worldwide. Certificate: CN=Dynamics365-S2S-contoso.
#
# Run it ONCE on one Dynamics 365 server (the -updateCrm change goes to the configuration database),
# in Windows PowerShell started with "Run as administrator". It asks for the PFX password at a secure
# prompt; the password is never stored in this file or in the result file.
# It writes hybridsync-crm-result.json next to itself: import that file in hybridsync.
#
#   (1) checks: elevated, the Microsoft.Crm.PowerShell snap-in, CertificateReconfiguration.ps1 in the
#       Tools folder, the PFX file, and that the service account is not an interactive administrator
#   (2) CertificateReconfiguration.ps1 -certificateType S2STokenIssuer -updateCrm (ms-api.md 5.3)
#   (3) ServerSettings S2SDefaultAuthorizationServerPrincipalId / ...MetadataUrl (ms-api.md 5.4)
#   (4) the organization's S2STenantId (ms-api.md 5.4)
#   (5) the JSON result file

#Requires -Version 5.1
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2

$CertificateFile    = 'C:\s2s\Dynamics365-S2S.pfx'
$ServiceAccount     = 'CONTOSO\svc-crm-async'
$Organization       = 'contoso'
$TenantId           = '3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91'
$ExpectedThumbprint = '0123456789ABCDEF0123456789ABCDEF01234567'
$PrincipalId        = '00000001-0000-0000-c000-000000000000'
$MetadataUrl        = 'https://accounts.accesscontrol.windows.net/metadata/json/1'
$DefaultTools       = 'C:\Program Files\Microsoft Dynamics CRM\Tools'
$InstallKey         = 'HKLM:\SOFTWARE\Microsoft\MSCRM'
$ResultFile         = Join-Path $PSScriptRoot 'hybridsync-crm-result.json'

$Parts = [ordered]@{}
foreach ($name in 'prerequisites', 'certificate', 'server_settings', 'tenant_id') {
    $Parts[$name] = [ordered]@{ name = $name; ok = $false; skipped = $true; error = $null }
}
$Installed = $null

function Write-Result {
    $result = [ordered]@{
        schema       = 'hybridsync-crm-script-result/1'
        computer     = $env:COMPUTERNAME
        finished     = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
        thumbprint   = $script:Installed
        organization = $Organization
        tenant_id    = $TenantId
        metadata_url = $MetadataUrl
        parts        = @($Parts.Values)
    }
    $json = $result | ConvertTo-Json -Depth 4
    $tmp = "$ResultFile.tmp"
    [IO.File]::WriteAllText($tmp, $json, (New-Object Text.UTF8Encoding($false)))
    Move-Item -LiteralPath $tmp -Destination $ResultFile -Force
    Write-Host "Result written to $ResultFile"
}

function Invoke-Part([string] $name, [scriptblock] $body) {
    $Parts[$name].skipped = $false
    try {
        & $body
        $Parts[$name].ok = $true
        Write-Host "[ok]     $name"
    } catch {
        $Parts[$name].error = $_.Exception.Message
        Write-Host "[failed] $name : $($_.Exception.Message)" -ForegroundColor Red
        Write-Result
        exit 1
    }
}

# (1) Prerequisites.
Invoke-Part 'prerequisites' {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw 'This script must run elevated: right-click Windows PowerShell, choose "Run as administrator", and run it again.'
    }
    if (-not (Get-PSSnapin -Name Microsoft.Crm.PowerShell -ErrorAction SilentlyContinue)) {
        try { Add-PSSnapin Microsoft.Crm.PowerShell } catch {
            throw "The Microsoft.Crm.PowerShell snap-in is not installed here: run this script on a Dynamics 365 server ($($_.Exception.Message))."
        }
    }
    $tools = $DefaultTools
    $install = Get-ItemProperty -Path $InstallKey -ErrorAction SilentlyContinue
    if ($install -and ($install.PSObject.Properties.Name -contains 'CRM_Server_InstallDir')) {
        $tools = Join-Path $install.CRM_Server_InstallDir 'Tools'
    }
    $script:Reconfigure = Join-Path $tools 'CertificateReconfiguration.ps1'
    if (-not (Test-Path -LiteralPath $script:Reconfigure)) {
        throw "CertificateReconfiguration.ps1 was not found in $tools. Run this script on a Dynamics 365 server where the Tools folder is installed."
    }
    if (-not (Test-Path -LiteralPath $CertificateFile)) {
        throw "The certificate file $CertificateFile does not exist on this server. Copy the .pfx exported by hybridsync there, or fix the path in this script."
    }
    # The async service's account is granted the private key. An interactive administrator's account
    # here breaks CRM (the seeds' trap), so it is refused.
    if ($ServiceAccount -ieq $identity.Name) {
        throw "The service account $ServiceAccount is the account running this script, an interactive administrator. Give the account the Microsoft Dynamics CRM Asynchronous Processing Service runs as (services.msc > Log On As) and generate the script again."
    }
    $admins = @()
    try { $admins = @(Get-LocalGroupMember -SID 'S-1-5-32-544' | ForEach-Object { $_.Name }) } catch { }
    if ($admins -icontains $ServiceAccount) {
        throw "The service account $ServiceAccount is a member of the local Administrators group, an interactive administrator's account. Give the account the Microsoft Dynamics CRM Asynchronous Processing Service runs as and generate the script again."
    }
    $async = Get-CimInstance Win32_Service -Filter "Name='MSCRMAsyncService'" -ErrorAction SilentlyContinue
    if ($async -and $async.StartName -and ($async.StartName -ine $ServiceAccount) -and ($ServiceAccount -ine 'Network Service')) {
        Write-Warning "The Asynchronous Processing Service runs as $($async.StartName), not $ServiceAccount. The script continues with $ServiceAccount as generated."
    }
}

# (2) The S2S certificate (ms-api.md 5.3).
Invoke-Part 'certificate' {
    $secure = Read-Host -AsSecureString -Prompt "Password of $CertificateFile"
    # CertificateReconfiguration.ps1 takes the password as a string (ms-api.md 5.3): it is decoded
    # in memory only for this call.
    $bstr = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($secure)
    try {
        $plain = [Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
        & $script:Reconfigure -certificateFile $CertificateFile -password $plain -updateCrm -certificateType S2STokenIssuer -serviceAccount $ServiceAccount -storeFindType FindBySubjectDistinguishedName
    } finally {
        [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
        $plain = $null
    }
    $registered = Get-CrmCertificate | Where-Object { $_.CertificateType -eq 'S2STokenIssuer' } | Select-Object -First 1
    if (-not $registered) {
        throw 'CertificateReconfiguration.ps1 finished but Get-CrmCertificate lists no S2STokenIssuer certificate.'
    }
    $cert = New-Object Security.Cryptography.X509Certificates.X509Certificate2(, [Convert]::FromBase64String($registered.Data))
    $script:Installed = $cert.Thumbprint
    if ($cert.Thumbprint -ine $ExpectedThumbprint) {
        throw "CRM registered the certificate $($cert.Thumbprint), not $ExpectedThumbprint: the .pfx is not the certificate uploaded to Microsoft 365."
    }
}

# (3) Deployment settings (ms-api.md 5.4).
Invoke-Part 'server_settings' {
    $setting = New-Object 'Microsoft.Xrm.Sdk.Deployment.ConfigurationEntity'
    $setting.LogicalName = 'ServerSettings'
    $setting.Attributes = New-Object 'Microsoft.Xrm.Sdk.Deployment.AttributeCollection'
    $attribute1 = New-Object 'System.Collections.Generic.KeyValuePair[String, Object]' ('S2SDefaultAuthorizationServerPrincipalId', $PrincipalId)
    $setting.Attributes.Add($attribute1)
    $attribute2 = New-Object 'System.Collections.Generic.KeyValuePair[String, Object]' ('S2SDefaultAuthorizationServerMetadataUrl', $MetadataUrl)
    $setting.Attributes.Add($attribute2)
    Set-CrmAdvancedSetting -Entity $setting
}

# (4) The organization's tenant ID (ms-api.md 5.4).
Invoke-Part 'tenant_id' {
    $orgInfo = Get-CrmOrganization -Name $Organization
    if (-not $orgInfo) {
        throw "No organization with the unique name $Organization (Deployment Manager > Organizations)."
    }
    Set-CrmAdvancedSetting -ID $orgInfo.ID -ConfigurationEntityName 'Organization' -Setting 'S2STenantId' -Value $TenantId
}

# (5) The result file.
Write-Result
Write-Host 'Done. Restart "Microsoft Dynamics CRM Asynchronous Processing Service" and "... (maintenance)" on every async server, then import the result file in hybridsync.'
