<#
.SYNOPSIS
Builds Hearth for Windows x64: dist\hearth\ (hearth.exe, hearthw.exe, _internal\),
dist\Hearth-<version>-windows-x64.zip and dist\Hearth-<version>-windows-x64-setup.exe.

.DESCRIPTION
Run from anywhere, in Windows PowerShell 5.1 or PowerShell 7:

    powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1

Needs Python 3.11+ (64-bit, python.org), Visual Studio 2022 or newer (Build Tools are enough)
with "Desktop development with C++" and "C++ Clang tools for Windows", and Inno Setup 6.3+.
See packaging\windows\README.md.

Environment (all optional):
  PYTHON                 the Python to build with (default: py -3, the newest installed; else python on PATH)
  HEARTH_WHEEL_CACHE     where the llama-cpp-python wheel is kept between builds
                         (default ~\.cache\hearth-build\wheels)
  HEARTH_SIGN_CERT_SHA1  thumbprint of a code-signing certificate in the certificate store:
                         signs hearth.exe, hearthw.exe, the uninstaller and the setup
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Stop'

$LlamaCppPythonVersion = '0.3.36'
$PyInstallerRequirement = 'pyinstaller>=6.10,<7'
$TimestampUrl = 'http://timestamp.digicert.com'
# Portable llama.cpp: no -march=native; one CPU backend per instruction-set level, the best
# picked at run time (ggml installs those into CMAKE_INSTALL_BINDIR: llama_cpp/lib is where
# app/engine/native_backends.py loads them from). GNU-style clang from Visual Studio's LLVM,
# as llama.cpp's own x64-windows-llvm preset: clang-cl would take ggml's MSVC branch and lose
# CPU variants, MSVC itself makes slower code. No OpenMP: ggml's own thread pool needs no
# runtime DLL beside the app (the LLVM libomp140.x86_64.dll would have to be shipped).
# No Windows paths in here: scikit-build-core splits CMAKE_ARGS the POSIX way (backslashes).
$CmakeArgs = '-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON ' +
    '-DGGML_OPENMP=OFF -DCMAKE_INSTALL_BINDIR=llama_cpp/lib -DLLAVA_BUILD=OFF ' +
    '-G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++'

$Root = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..\..')).Path
$Build = Join-Path $Root 'build\windows'
$Venv = Join-Path $Build 'venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$Dist = Join-Path $Root 'dist'
$AppDir = Join-Path $Dist 'hearth'
$HearthExe = Join-Path $AppDir 'hearth.exe'
$HearthwExe = Join-Path $AppDir 'hearthw.exe'
$Ico = Join-Path $Build 'hearth.ico'

function Write-Step([string]$Message) {
    Write-Host ''
    Write-Host "==> $Message" -ForegroundColor Cyan
}

# Runs a native program and throws when it exits non-zero. Its stdout is the function's output.
# The call itself runs with $ErrorActionPreference = 'Continue': in Windows PowerShell 5.1,
# stderr lines (pip and PyInstaller write progress and warnings there) can otherwise turn
# into terminating errors.
function Invoke-Native {
    param(
        [Parameter(Mandatory = $true, Position = 0)][string]$FilePath,
        [Parameter(Position = 1)][string[]]$ArgumentList = @()
    )
    $saved = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & $FilePath @ArgumentList
        $code = $LASTEXITCODE
    } finally {
        $ErrorActionPreference = $saved
    }
    if ($code -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $code."
    }
}

function Find-Wheel([string]$Directory) {
    if (-not (Test-Path -LiteralPath $Directory)) {
        return $null
    }
    $wheel = Get-ChildItem -LiteralPath $Directory -Filter "llama_cpp_python-$LlamaCppPythonVersion-*.whl" |
        Select-Object -First 1
    if ($wheel) {
        return $wheel.FullName
    }
    return $null
}

function Find-SignTool {
    $command = Get-Command signtool.exe -ErrorAction SilentlyContinue
    if ($command) {
        return $command.Source
    }
    $kits = Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\bin'
    if (Test-Path -LiteralPath $kits) {
        $found = Get-ChildItem -Path (Join-Path $kits '*\x64\signtool.exe') -ErrorAction SilentlyContinue |
            Sort-Object -Property FullName -Descending |
            Select-Object -First 1
        if ($found) {
            return $found.FullName
        }
    }
    throw 'signtool.exe not found: install the Windows SDK (part of "Desktop development with C++").'
}

$script:InBuildShell = $false

# The Visual Studio x64 developer environment (compiler, linker, Windows SDK, CMake, Ninja)
# with the LLVM clang first on PATH. Only needed to compile llama-cpp-python.
function Enter-BuildShell {
    if ($script:InBuildShell) {
        return
    }
    $vswhere = Join-Path ${env:ProgramFiles(x86)} 'Microsoft Visual Studio\Installer\vswhere.exe'
    if (-not (Test-Path -LiteralPath $vswhere)) {
        throw 'Visual Studio was not found (no vswhere.exe). Install Visual Studio 2022 Build Tools ' +
            'with "Desktop development with C++" and "C++ Clang tools for Windows".'
    }
    $found = @(Invoke-Native $vswhere @('-latest', '-products', '*', '-version', '[17.0,)',
            '-requires', 'Microsoft.VisualStudio.Component.VC.Tools.x86.x64',
            'Microsoft.VisualStudio.Component.VC.Llvm.Clang',
            '-property', 'installationPath'))
    if ($found.Count -eq 0 -or -not "$($found[0])".Trim()) {
        throw 'No Visual Studio 2022+ with "Desktop development with C++" and "C++ Clang tools ' +
            'for Windows" was found: add them in the Visual Studio Installer.'
    }
    $vsPath = "$($found[0])".Trim()
    Write-Host "Visual Studio: $vsPath"
    Import-Module (Join-Path $vsPath 'Common7\Tools\Microsoft.VisualStudio.DevShell.dll')
    Enter-VsDevShell -VsInstallPath $vsPath -SkipAutomaticLocation -Arch amd64 -HostArch amd64 | Out-Host
    if ($env:VSCMD_ARG_TGT_ARCH -ne 'x64') {
        throw 'Entering the Visual Studio x64 developer environment failed.'
    }
    $llvmBin = Join-Path $vsPath 'VC\Tools\Llvm\x64\bin'
    if (-not (Test-Path -LiteralPath (Join-Path $llvmBin 'clang.exe'))) {
        throw "No clang.exe in ${llvmBin}: add ""C++ Clang tools for Windows"" in the Visual Studio Installer."
    }
    $env:PATH = $llvmBin + ';' + $env:PATH
    Invoke-Native 'clang.exe' @('--version')
    if (-not (Get-Command ninja.exe -ErrorAction SilentlyContinue)) {
        Write-Host 'Ninja is not on PATH: installing it into the build environment.'
        Invoke-Native $VenvPython @('-m', 'pip', 'install', '--quiet', 'ninja')
        $env:PATH = (Join-Path $Venv 'Scripts') + ';' + $env:PATH
    }
    $script:InBuildShell = $true
}

Push-Location -LiteralPath $Root
try {
    # --- Python ------------------------------------------------------------------------------
    # The command may carry arguments (py -3.11): keep it an array, and the arguments an array
    # even when there is a single one.
    if ($env:PYTHON) {
        $BasePython = @($env:PYTHON)
    } elseif (Get-Command py.exe -ErrorAction SilentlyContinue) {
        $BasePython = @('py.exe', '-3')
    } elseif (Get-Command python.exe -ErrorAction SilentlyContinue) {
        $BasePython = @('python.exe')
    } else {
        throw 'No Python found: install Python 3.11+ (64-bit) from python.org, or set PYTHON.'
    }
    $BaseExe = $BasePython[0]
    $BaseArguments = @($BasePython | Select-Object -Skip 1)

    $check = 'import sys; sys.exit(0 if sys.version_info >= (3, 11) and sys.maxsize > 2**32 else 1)'
    try {
        Invoke-Native $BaseExe ($BaseArguments + @('-c', $check))
    } catch {
        throw "'$($BasePython -join ' ')' is not a 64-bit Python 3.11+ (install one from python.org or set PYTHON): $_"
    }
    $PyVersion = "$(Invoke-Native $BaseExe ($BaseArguments + @('-c', 'import sys; print(*sys.version_info[:2], sep=chr(46))')))".Trim()

    Write-Step "Creating the build environment in $Venv (Python $PyVersion)"
    New-Item -ItemType Directory -Force -Path $Build | Out-Null
    Invoke-Native $BaseExe ($BaseArguments + @('-m', 'venv', '--clear', $Venv))
    Invoke-Native $VenvPython @('-m', 'pip', 'install', '--quiet', '--upgrade', 'pip')

    # --- llama-cpp-python wheel (built once per configuration, then cached) ------------------
    $WheelCache = if ($env:HEARTH_WHEEL_CACHE) { $env:HEARTH_WHEEL_CACHE } else { Join-Path $HOME '.cache\hearth-build\wheels' }
    $KeyText = "llama-cpp-python==$LlamaCppPythonVersion|$CmakeArgs|windows-x64|py$PyVersion"
    $sha256 = [System.Security.Cryptography.SHA256]::Create()
    try {
        $digest = $sha256.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($KeyText))
    } finally {
        $sha256.Dispose()
    }
    $Key = (-join ($digest | ForEach-Object { $_.ToString('x2') })).Substring(0, 16)
    $WheelDir = Join-Path $WheelCache $Key

    $Wheel = Find-Wheel $WheelDir
    if ($Wheel) {
        Write-Step "Using the cached wheel $Wheel"
    } else {
        Write-Step "Building llama-cpp-python $LlamaCppPythonVersion (15-30 minutes)"
        Write-Host "CMAKE_ARGS=$CmakeArgs"
        Enter-BuildShell
        $TmpWheels = Join-Path ([System.IO.Path]::GetTempPath()) ('hearth-wheel-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Force -Path $TmpWheels | Out-Null
        $env:CMAKE_ARGS = $CmakeArgs
        $env:CMAKE_GENERATOR = 'Ninja'
        try {
            # --no-cache-dir: pip's wheel cache ignores CMAKE_ARGS and could return a wheel
            # built for this CPU only.
            Invoke-Native $VenvPython @('-m', 'pip', 'wheel', '--no-deps', '--no-cache-dir',
                '--no-binary', 'llama-cpp-python', '--wheel-dir', $TmpWheels,
                "llama-cpp-python==$LlamaCppPythonVersion")
            New-Item -ItemType Directory -Force -Path $WheelDir | Out-Null
            Get-ChildItem -LiteralPath $TmpWheels -Filter 'llama_cpp_python-*.whl' |
                Move-Item -Destination $WheelDir -Force
            Set-Content -LiteralPath (Join-Path $WheelDir 'build-key.txt') -Value $KeyText -Encoding ASCII
        } finally {
            Remove-Item Env:CMAKE_ARGS -ErrorAction SilentlyContinue
            Remove-Item Env:CMAKE_GENERATOR -ErrorAction SilentlyContinue
            Remove-Item -LiteralPath $TmpWheels -Recurse -Force -ErrorAction SilentlyContinue
        }
        $Wheel = Find-Wheel $WheelDir
        if (-not $Wheel) {
            throw 'pip built no llama_cpp_python wheel.'
        }
        Write-Host "Cached $Wheel"
    }

    Write-Step 'Installing Hearth, its dependencies and PyInstaller'
    Invoke-Native $VenvPython @('-m', 'pip', 'install', '--quiet', $Wheel, $Root, $PyInstallerRequirement)
    Invoke-Native $VenvPython @('-c', 'import llama_cpp; print(llama_cpp.__version__)')
    $Version = "$(Invoke-Native $VenvPython @('-c', 'import app; print(app.__version__)'))".Trim()
    if (-not $Version) {
        throw 'Could not read app.__version__.'
    }
    # Windows version resources take up to four numbers: 0.2.0rc1 -> 0.2.0.
    $NumericVersion = if ($Version -match '^\d+(\.\d+){0,3}') { $Matches[0] } else { '0.0.0' }
    Write-Host "Hearth $Version"

    # --- Icon and PyInstaller ----------------------------------------------------------------
    Write-Step 'Rendering the icon'
    Invoke-Native $VenvPython @((Join-Path $Root 'packaging\render_icon.py'), $Ico)

    Write-Step 'Freezing with PyInstaller'
    $env:HEARTH_ICON = $Ico
    try {
        Invoke-Native $VenvPython @('-m', 'PyInstaller', '--noconfirm', '--clean',
            '--distpath', $Dist, '--workpath', (Join-Path $Build 'pyinstaller'),
            (Join-Path $Root 'packaging\pyinstaller\hearth.spec'))
    } finally {
        Remove-Item Env:HEARTH_ICON -ErrorAction SilentlyContinue
    }
    foreach ($exe in @($HearthExe, $HearthwExe)) {
        if (-not (Test-Path -LiteralPath $exe)) {
            throw "PyInstaller did not produce $exe."
        }
    }

    # --- Optional signing of the executables (before they are zipped and packed) -------------
    # Only hex digits: a thumbprint copied from the certificate dialog carries spaces and an
    # invisible left-to-right mark.
    $Thumbprint = if ($env:HEARTH_SIGN_CERT_SHA1) { $env:HEARTH_SIGN_CERT_SHA1 -replace '[^0-9A-Fa-f]', '' } else { '' }
    $SignTool = $null
    if ($Thumbprint) {
        Write-Step 'Signing hearth.exe and hearthw.exe'
        $SignTool = Find-SignTool
        Invoke-Native $SignTool @('sign', '/sha1', $Thumbprint, '/fd', 'sha256', '/tr', $TimestampUrl,
            '/td', 'sha256', '/d', 'Hearth', $HearthExe, $HearthwExe)
        Invoke-Native $SignTool @('verify', '/pa', $HearthExe, $HearthwExe)
    } else {
        Write-Host 'HEARTH_SIGN_CERT_SHA1 is not set: the executables and the setup are not signed.'
    }

    # --- Smoke test --------------------------------------------------------------------------
    Write-Step 'Smoke test: hearth.exe --version'
    $savedHome = $env:HEARTH_HOME
    $env:HEARTH_HOME = Join-Path $Build 'smoke-home'
    try {
        $reported = "$(Invoke-Native $HearthExe @('--version'))".Trim()
    } finally {
        $env:HEARTH_HOME = $savedHome
    }
    Write-Host $reported
    if ($reported -notlike "*$Version*") {
        throw "hearth.exe reports '$reported', expected version $Version."
    }

    # --- Zip ---------------------------------------------------------------------------------
    $Zip = Join-Path $Dist "Hearth-$Version-windows-x64.zip"
    Write-Step "Making $Zip"
    if (Test-Path -LiteralPath $Zip) {
        Remove-Item -LiteralPath $Zip -Force
    }
    # Windows' own bsdtar (Windows 10 1803+) writes standard zip entries (forward slashes),
    # which Windows PowerShell's Compress-Archive does not.
    $Tar = Join-Path $env:SystemRoot 'System32\tar.exe'
    if (-not (Test-Path -LiteralPath $Tar)) {
        throw "$Tar not found: Windows 10 1803 or later is needed."
    }
    Invoke-Native $Tar @('-a', '-c', '-f', $Zip, '-C', $Dist, 'hearth')

    # --- Installer ---------------------------------------------------------------------------
    Write-Step 'Compiling the installer with Inno Setup'
    $c = Get-Command ISCC.exe -ErrorAction SilentlyContinue
    $Iscc = if ($c) { $c.Source } else { "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
    if (-not (Test-Path -LiteralPath $Iscc)) {
        $Iscc = Join-Path $env:LOCALAPPDATA 'Programs\Inno Setup 6\ISCC.exe'
    }
    if (-not (Test-Path -LiteralPath $Iscc)) {
        throw 'Inno Setup 6.3+ (ISCC.exe) not found: install it from https://jrsoftware.org/isdl.php.'
    }
    $isccArgs = @('/Qp', "/DAppVersion=$Version", "/DAppNumericVersion=$NumericVersion",
        "/DSourceDir=$AppDir", "/DOutputDir=$Dist", "/DIconFile=$Ico")
    if ($Thumbprint) {
        # Inno Setup signs the uninstaller and the setup with this command; it replaces $q with
        # a double quote and $f with the quoted file name (single quotes: no PowerShell $f).
        $signCommand = '$q' + $SignTool + '$q sign /sha1 ' + $Thumbprint + ' /fd sha256 /tr ' +
            $TimestampUrl + ' /td sha256 /d Hearth $f'
        $isccArgs += @(('/Shearthsign=' + $signCommand), '/DSignSetup=1')
    }
    $isccArgs += @((Join-Path $PSScriptRoot 'hearth.iss'))
    Invoke-Native $Iscc $isccArgs
    $Setup = Join-Path $Dist "Hearth-$Version-windows-x64-setup.exe"
    if (-not (Test-Path -LiteralPath $Setup)) {
        throw "Inno Setup did not produce $Setup."
    }
    if ($Thumbprint) {
        Invoke-Native $SignTool @('verify', '/pa', $Setup)
    }

    Write-Step 'Done'
    Write-Host "  $AppDir"
    Write-Host "  $Zip"
    Write-Host "  $Setup"
} finally {
    Pop-Location
}
