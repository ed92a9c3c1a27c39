<?php
// A go-workerpool caller with only the binary name changed: `./go-workerpool` became `divvy exec`.
// Run: php examples/exec/caller.php   (with divvy on PATH; see the README for installing the tool)

declare(strict_types=1);

$jobs = [];
for ($n = 1; $n <= 8; $n++) {
    $jobs[] = ['identifier' => "job $n", 'command' => 'sh', 'args' => ['-c', "echo job $n ran"]];
}

$filename = tempnam(sys_get_temp_dir(), 'divvy') . '.json';
file_put_contents($filename, json_encode($jobs));

exec("divvy exec -i " . escapeshellarg($filename) . " -t 4", $stdout);
unlink($filename);
if (empty($stdout)) {
    echo "No output from job. Consider running in verbose mode\n";
    return;
}

$results = json_decode(end($stdout), true);
foreach ($results as $result) {
    echo "Result for {$result['identifier']}: ({$result['exit_code']}) " . trim($result['result_body'] ?: 'empty') . "\n";
}
