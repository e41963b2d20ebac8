"""The add-in manifest: Microsoft's XML add-in manifest with this server's URLs filled in.

One task pane (buttons Validate this return, Refresh scorecard, Show log) and the ``XLPERF.*``
custom functions in a shared runtime (the task pane page also hosts the functions, so they share
its server key). Excel fetches the manifest, the task pane page, its static files and the
functions' metadata and script without credentials; everything else needs the server key.

The add-in id is derived from the server's address (a UUID5), so a test and a live server of
the same council are two add-ins, and restarting the server keeps the id.
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape, quoteattr

__all__ = ["MANIFEST_NS", "manifest_xml"]

MANIFEST_NS = "http://schemas.microsoft.com/office/appforoffice/1.1"
_ID_NAMESPACE = uuid.UUID("5d8f2a3e-6c1b-4f4e-9a57-0c1d2e3f4a5b")


def _version(text: str) -> str:
    parts = [p for p in text.split(".") if p.isdigit()][:4]
    return ".".join(parts + ["0"] * (4 - len(parts)))


def manifest_xml(url: str, *, version: str, name: str = "xlperf",
                 description: str = "Validate returns and refresh the performance scorecard "
                                    "from a task pane; XLPERF.* worksheet functions.") -> str:
    """The manifest for a server at ``url`` (no trailing slash)."""
    base = url.rstrip("/")
    addin_id = uuid.uuid5(_ID_NAMESPACE, base)

    def at(path: str) -> str:
        return quoteattr(base + path)

    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<OfficeApp xmlns="{MANIFEST_NS}"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
  xmlns:ov="http://schemas.microsoft.com/office/taskpaneappversionoverrides"
  xsi:type="TaskPaneApp">
  <Id>{addin_id}</Id>
  <Version>{_version(version)}</Version>
  <ProviderName>xlperf</ProviderName>
  <DefaultLocale>en-GB</DefaultLocale>
  <DisplayName DefaultValue={quoteattr(name)} />
  <Description DefaultValue={quoteattr(description)} />
  <IconUrl DefaultValue={at("/static/icon-32.png")} />
  <HighResolutionIconUrl DefaultValue={at("/static/icon-64.png")} />
  <SupportUrl DefaultValue={at("/static/help.html")} />
  <AppDomains>
    <AppDomain>{escape(base)}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Workbook" />
  </Hosts>
  <Requirements>
    <Sets DefaultMinVersion="1.1">
      <Set Name="SharedRuntime" MinVersion="1.1" />
    </Sets>
  </Requirements>
  <DefaultSettings>
    <SourceLocation DefaultValue={at("/taskpane.html")} />
  </DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/taskpaneappversionoverrides"
    xsi:type="VersionOverridesV1_0">
    <Hosts>
      <Host xsi:type="Workbook">
        <Runtimes>
          <Runtime resid="Taskpane.Url" lifetime="long" />
        </Runtimes>
        <AllFormFactors>
          <ExtensionPoint xsi:type="CustomFunctions">
            <Script>
              <SourceLocation resid="Functions.Script.Url" />
            </Script>
            <Page>
              <SourceLocation resid="Taskpane.Url" />
            </Page>
            <Metadata>
              <SourceLocation resid="Functions.Metadata.Url" />
            </Metadata>
          </ExtensionPoint>
        </AllFormFactors>
        <DesktopFormFactor>
          <GetStarted>
            <Title resid="GetStarted.Title" />
            <Description resid="GetStarted.Description" />
            <LearnMoreUrl resid="Help.Url" />
          </GetStarted>
          <FunctionFile resid="Taskpane.Url" />
          <ExtensionPoint xsi:type="PrimaryCommandSurface">
            <OfficeTab id="TabHome">
              <Group id="xlperf.Group">
                <Label resid="Group.Label" />
                <Icon>
                  <bt:Image size="16" resid="Icon.16" />
                  <bt:Image size="32" resid="Icon.32" />
                  <bt:Image size="80" resid="Icon.80" />
                </Icon>
                <Control xsi:type="Button" id="xlperf.ShowPane">
                  <Label resid="Button.Label" />
                  <Supertip>
                    <Title resid="Button.Label" />
                    <Description resid="Button.Tooltip" />
                  </Supertip>
                  <Icon>
                    <bt:Image size="16" resid="Icon.16" />
                    <bt:Image size="32" resid="Icon.32" />
                    <bt:Image size="80" resid="Icon.80" />
                  </Icon>
                  <Action xsi:type="ShowTaskpane">
                    <TaskpaneId>xlperf.Taskpane</TaskpaneId>
                    <SourceLocation resid="Taskpane.Url" />
                  </Action>
                </Control>
              </Group>
            </OfficeTab>
          </ExtensionPoint>
        </DesktopFormFactor>
      </Host>
    </Hosts>
    <Resources>
      <bt:Images>
        <bt:Image id="Icon.16" DefaultValue={at("/static/icon-16.png")} />
        <bt:Image id="Icon.32" DefaultValue={at("/static/icon-32.png")} />
        <bt:Image id="Icon.80" DefaultValue={at("/static/icon-80.png")} />
      </bt:Images>
      <bt:Urls>
        <bt:Url id="Taskpane.Url" DefaultValue={at("/taskpane.html")} />
        <bt:Url id="Functions.Script.Url" DefaultValue={at("/functions/code.js")} />
        <bt:Url id="Functions.Metadata.Url" DefaultValue={at("/functions/meta.json")} />
        <bt:Url id="Help.Url" DefaultValue={at("/static/help.html")} />
      </bt:Urls>
      <bt:ShortStrings>
        <bt:String id="Group.Label" DefaultValue="Performance" />
        <bt:String id="Button.Label" DefaultValue="xlperf" />
        <bt:String id="GetStarted.Title" DefaultValue="xlperf is ready" />
      </bt:ShortStrings>
      <bt:LongStrings>
        <bt:String id="Button.Tooltip"
          DefaultValue="Validate a return, refresh the scorecard, see the log." />
        <bt:String id="GetStarted.Description"
          DefaultValue="Open xlperf from the Home tab. XLPERF.* functions work in any workbook." />
      </bt:LongStrings>
    </Resources>
  </VersionOverrides>
</OfficeApp>
"""
