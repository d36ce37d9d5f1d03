; Hearth's Windows installer (Inno Setup 6.3 or newer). build.ps1 compiles it as
;
;   ISCC /DAppVersion=0.1.0 /DAppNumericVersion=0.1.0 /DSourceDir=...\dist\hearth
;        /DOutputDir=...\dist [/DIconFile=...\hearth.ico] [/DSignSetup=1 /Shearthsign=...]
;        packaging\windows\hearth.iss
;
; A per-user install (no administrator rights) into %LOCALAPPDATA%\Programs\Hearth with a
; Start-menu entry, optional desktop icon, optional "hearth" on the user's PATH and "Open with"
; entries for .eml .pdf .docx .txt .md .html. Uninstalling removes the program and keeps the
; user's conversations, models and settings (%LOCALAPPDATA%\Hearth) unless they ask otherwise.

#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is required (ArchitecturesAllowed=x64compatible)
#endif
#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z (packaging\windows\build.ps1 does)
#endif
#ifndef AppNumericVersion
  #define AppNumericVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\hearth"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

#define AppName "Hearth"
#define AppExe "hearthw.exe"
#define ProgId "Hearth.Document"

[Setup]
AppId={{544EE3C8-DD74-4939-AF49-280E7EC45C51}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The Hearth contributors
AppCopyright=Copyright (C) the Hearth contributors. MIT License.
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductTextVersion={#AppVersion}
VersionInfoDescription=Hearth setup
; Per user, never elevated: everything goes under the user's own profile and HKCU.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\Hearth
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern
Compression=lzma2
SolidCompression=yes
OutputDir={#OutputDir}
OutputBaseFilename=Hearth-{#AppVersion}-windows-x64-setup
#ifdef IconFile
SetupIconFile={#IconFile}
#endif
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
; Tell Explorer about the "Open with" entries and running programs about the new PATH.
ChangesAssociations=yes
ChangesEnvironment=yes
; Close a running Hearth (the window and its engine process) before replacing its files.
CloseApplications=yes
RestartApplications=no
#ifdef SignSetup
; "hearthsign" is defined on ISCC's command line (/Shearthsign=...) by build.ps1.
SignTool=hearthsign
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "openwith"; Description: "Offer Hearth in ""Open with"" for e-mails (.eml), PDF, Word (.docx), text, Markdown and HTML files"; GroupDescription: "Integration:"
Name: "addtopath"; Description: "Add the ""hearth"" command to my PATH (for the command line)"; GroupDescription: "Integration:"; Flags: unchecked

[InstallDelete]
; An update replaces the whole bundle: files an older version had and this one lacks (an old
; CPU backend library, say) must not linger and be loaded.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "A private, offline assistant"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; "Open with" only: a ProgID for Hearth, listed under each extension's OpenWithProgids, and the
; application's own SupportedTypes. No extension's default value is touched, so the user's
; default programs stay as they are. Uninstalling removes exactly these entries (and an
; extension's key only if nothing else is left in it).
Root: HKCU; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "Document for Hearth"; Flags: uninsdeletekey; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: "FriendlyTypeName"; ValueData: "Document for Hearth"; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" --open ""%1"""; Tasks: openwith

Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" --open ""%1"""; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".eml"; ValueData: ""; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".pdf"; ValueData: ""; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".docx"; ValueData: ""; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".txt"; ValueData: ""; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".md"; ValueData: ""; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".html"; ValueData: ""; Tasks: openwith

Root: HKCU; Subkey: "Software\Classes\.eml"; Flags: uninsdeletekeyifempty; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\.eml\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: openwith

Root: HKCU; Subkey: "Software\Classes\.pdf"; Flags: uninsdeletekeyifempty; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\.pdf\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: openwith

Root: HKCU; Subkey: "Software\Classes\.docx"; Flags: uninsdeletekeyifempty; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\.docx\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: openwith

Root: HKCU; Subkey: "Software\Classes\.txt"; Flags: uninsdeletekeyifempty; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\.txt\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: openwith

Root: HKCU; Subkey: "Software\Classes\.md"; Flags: uninsdeletekeyifempty; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\.md\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: openwith

Root: HKCU; Subkey: "Software\Classes\.html"; Flags: uninsdeletekeyifempty; Tasks: openwith
Root: HKCU; Subkey: "Software\Classes\.html\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: openwith

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
const
  EnvironmentKey = 'Environment';

{ Path entries compare equal regardless of case and of a trailing backslash. }
function SamePath(const A, B: String): Boolean;
begin
  Result := CompareText(RemoveBackslashUnlessRoot(Trim(A)), RemoveBackslashUnlessRoot(Trim(B))) = 0;
end;

{ The next ';'-separated entry of Rest (removed from Rest). }
function NextPathEntry(var Rest: String): String;
var
  P: Integer;
begin
  P := Pos(';', Rest);
  if P > 0 then
  begin
    Result := Copy(Rest, 1, P - 1);
    Delete(Rest, 1, P);
  end
  else
  begin
    Result := Rest;
    Rest := '';
  end;
end;

function PathHasEntry(const PathValue, Dir: String): Boolean;
var
  Rest: String;
begin
  Result := False;
  Rest := PathValue;
  while (Rest <> '') and not Result do
    Result := SamePath(NextPathEntry(Rest), Dir);
end;

{ Appends Dir to the user's PATH (HKCU\Environment), unless it is there already. }
procedure AddToUserPath(const Dir: String);
var
  OldValue, NewValue: String;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, EnvironmentKey, 'Path', OldValue) then
    OldValue := '';
  if PathHasEntry(OldValue, Dir) then
    exit;
  if OldValue = '' then
    NewValue := Dir
  else if OldValue[Length(OldValue)] = ';' then
    NewValue := OldValue + Dir
  else
    NewValue := OldValue + ';' + Dir;
  if RegWriteExpandStringValue(HKEY_CURRENT_USER, EnvironmentKey, 'Path', NewValue) then
    Log('Added to the user PATH: ' + Dir)
  else
    Log('Could not add to the user PATH: ' + Dir);
end;

{ Removes Dir from the user's PATH; writes the value back only if it existed and changed. }
procedure RemoveFromUserPath(const Dir: String);
var
  OldValue, NewValue, Rest, Entry: String;
  Changed: Boolean;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, EnvironmentKey, 'Path', OldValue) then
    exit;
  NewValue := '';
  Changed := False;
  Rest := OldValue;
  while Rest <> '' do
  begin
    Entry := NextPathEntry(Rest);
    if SamePath(Entry, Dir) then
      Changed := True
    else if Entry <> '' then
    begin
      if NewValue <> '' then
        NewValue := NewValue + ';';
      NewValue := NewValue + Entry;
    end;
  end;
  if not Changed then
    exit;
  if RegWriteExpandStringValue(HKEY_CURRENT_USER, EnvironmentKey, 'Path', NewValue) then
    Log('Removed from the user PATH: ' + Dir)
  else
    Log('Could not remove from the user PATH: ' + Dir);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
  begin
    { The PATH follows the task's box, also when a reinstall unticks it. }
    if WizardIsTaskSelected('addtopath') then
      AddToUserPath(ExpandConstant('{app}'))
    else
      RemoveFromUserPath(ExpandConstant('{app}'));
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usUninstall then
    RemoveFromUserPath(ExpandConstant('{app}'));

  if CurUninstallStep = usPostUninstall then
  begin
    { The user's data stays unless they say otherwise; a silent uninstall never asks and keeps it. }
    DataDir := ExpandConstant('{localappdata}\Hearth');
    if DirExists(DataDir) and not UninstallSilent then
    begin
      if SuppressibleMsgBox('Hearth has been removed.' + #13#10#13#10 +
          'Also delete your conversations, models and settings?' + #13#10 +
          '(' + DataDir + ')' + #13#10#13#10 +
          'This cannot be undone. Choose No to keep them for a later installation.',
          mbConfirmation, MB_YESNO or MB_DEFBUTTON2, IDNO) = IDYES then
      begin
        if DelTree(DataDir, True, True, True) then
          Log('Deleted the user data in ' + DataDir)
        else
          MsgBox('Some files in ' + DataDir + ' could not be deleted (is Hearth still running?). ' +
            'You can delete the folder by hand.', mbError, MB_OK);
      end
      else
        Log('Kept the user data in ' + DataDir);
    end;
  end;
end;
