import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoTemplate, TemplateError } from './gotemplate.js';

// Expected outputs were taken from the real kubectl's -o go-template on the same object.
const DATA = {
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, creationTimestamp: null },
  spec: { replicas: 1000000, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } }, containers: [{ name: 'nginx', image: 'nginx' }] },
};

const CASES: Array<[name: string, tpl: string, want: string]> = [
  ['field', '{{.metadata.name}}', 'web'],
  ['int64 prints in full', '{{.spec.replicas}}', '1000000'],
  ['missing key', '{{.nope}} {{.nope.x}}', '<no value> <no value>'],
  ['null is no value', '{{.metadata.creationTimestamp}}', '<no value>'],
  ['map %v', '{{.spec.strategy}}', 'map[rollingUpdate:map[maxSurge:25%] type:RollingUpdate]'],
  ['range map sorted with vars', '{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}', 'app=web;'],
  ['range else', '{{range .nope}}a{{else}}none{{end}}', 'none'],
  ['index and parens', '{{index .spec.containers 0 "image"}} {{(index .spec.containers 0).name}}', 'nginx nginx'],
  ['printf verbs', '{{ printf "%5s|%-4d|%.2f|%x|%q" "a" 7 3.14159 255 "q" }}', '    a|7   |3.14|ff|"q"'],
  ['%T of int, int64, float', '{{ printf "%T %T %T" 1 .spec.replicas 1.5 }}', 'int int64 float64'],
  ['extra args', '{{ printf "%d" "x" 4 }}', '%!d(string=x)%!(EXTRA int=4)'],
  ['floats as %v', '{{ 1.5 }} {{ 1e7 }} {{ 0x10 }} {{ -3 }} {{ 2.0 }} {{ 0.00001 }}', '1.5 1e+07 16 -3 2 1e-05'],
  ['trim markers and comments', '{{ $x := 3 }}{{$x}}{{- " a " -}} b{{/* c */}}', '3 a b'],
  ['assign', '{{ $x := .kind }}{{ $x = "b" }}{{ $x }}', 'b'],
  ['else if', '{{ if and .kind .nope }}a{{ else if .kind }}b{{ end }}', 'b'],
  ['and/or return values', '{{ and 1 0 }} {{ or 0 "" "z" }} {{ not .nope }}', '0 z true'],
  ['eq int64 with int', '{{if eq .spec.replicas 1000000}}x{{end}}', 'x'],
  ['eq several', '{{ eq .kind "Deployment" "x" }}', 'true'],
  ['print spacing', '{{ print 1 2 "a" "b" 3 }}', '1 2ab3'],
  ['len pipeline', '{{ .kind | len }}', '10'],
  ['exists', '{{exists . "spec" "replicas"}} {{exists . "spec" "nope"}}', 'true false'],
  ['base64decode', '{{ "aGk=" | base64decode }}', 'hi'],
  ['html js urlquery', `{{ html "<a>" }} {{ js "a'b" }} {{ urlquery "a b" }}`, "&lt;a&gt; a\\'b a+b"],
  ['slice', '{{ slice "abcdef" 1 3 }}', 'bc'],
  ['break', '{{ range .spec.containers }}x{{ break }}{{ end }}', 'x'],
];

for (const [name, tpl, want] of CASES) {
  test(`go-template: ${name}`, () => {
    assert.equal(new GoTemplate(tpl).execute(DATA), want);
  });
}

const PARSE_ERRORS: Array<[string, string]> = [
  ['{{.metadata.name', 'template: output:1: unclosed action'],
  ['{{foo}}', 'template: output:1: function "foo" not defined'],
  ['{{end}}', 'template: output:1: unexpected {{end}}'],
  ['{{ if .kind }}', 'template: output:1: unexpected EOF'],
  ['{{ $y }}', 'template: output:1: undefined variable "$y"'],
  ['{{}}', 'template: output:1: missing value for command'],
];

for (const [tpl, want] of PARSE_ERRORS) {
  test(`go-template parse error: ${tpl}`, () => {
    assert.throws(() => new GoTemplate(tpl), (e: unknown) => e instanceof TemplateError && e.message === want);
  });
}

const EXEC_ERRORS: Array<[string, string]> = [
  ['{{len .items}}', 'template: output:1:2: executing "output" at <len .items>: error calling len: reflect: call of reflect.Value.Type on zero Value'],
  ['{{.metadata.name.foo}}', `template: output:1:11: executing "output" at <.metadata.name.foo>: can't evaluate field foo in type interface {}`],
  ['{{if eq .spec.replicas 1000000.0}}y{{end}}', 'template: output:1:5: executing "output" at <eq .spec.replicas 1000000.0>: error calling eq: incompatible types for comparison'],
  ['{{ true }}{{ nil }}', 'template: output:1:13: executing "output" at <nil>: nil is not a command'],
  ['{{ index . "nope" "x" }}', 'template: output:1:3: executing "output" at <index . "nope" "x">: error calling index: index of nil pointer'],
  ['line1\n{{ .kind.a }}', `template: output:2:8: executing "output" at <.kind.a>: can't evaluate field a in type interface {}`],
];

for (const [tpl, want] of EXEC_ERRORS) {
  test(`go-template exec error: ${JSON.stringify(tpl)}`, () => {
    assert.throws(() => new GoTemplate(tpl).execute(DATA), (e: unknown) => e instanceof TemplateError && e.message === want);
  });
}
