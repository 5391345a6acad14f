import { useState } from 'react';
import { Link } from 'react-router';
import { useKeys } from '../api/queries';
import { CopyButton } from '../components/CopyButton';
import { PageHeader } from '../components/PageHeader';
import { keyPrefix } from '../lib/format';

type Language = 'curl' | 'python' | 'javascript';

const LANGUAGES: { id: Language; label: string }[] = [
  { id: 'curl', label: 'curl' },
  { id: 'python', label: 'Python (OpenAI SDK)' },
  { id: 'javascript', label: 'JavaScript (OpenAI SDK)' },
];

export function snippets(baseUrl: string, model: string): Record<Language, string> {
  return {
    curl: `curl ${baseUrl}/chat/completions \\
  -H "Authorization: Bearer $TOLLGATE_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "model": "${model}",
    "messages": [{"role": "user", "content": "Say hello"}]
  }'`,
    python: `# pip install openai
import os
from openai import OpenAI

client = OpenAI(base_url="${baseUrl}", api_key=os.environ["TOLLGATE_API_KEY"])

completion = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Say hello"}],
)
print(completion.choices[0].message.content)`,
    javascript: `// npm install openai
import OpenAI from "openai";

const client = new OpenAI({ baseURL: "${baseUrl}", apiKey: process.env.TOLLGATE_API_KEY });

const completion = await client.chat.completions.create({
  model: "${model}",
  messages: [{ role: "user", content: "Say hello" }],
});
console.log(completion.choices[0].message.content);`,
  };
}

export function QuickstartPage() {
  const keys = useKeys();
  const [language, setLanguage] = useState<Language>('curl');
  const baseUrl = `${window.location.origin}/v1`;
  const key = keys.data?.[0];
  const exportLine = `export TOLLGATE_API_KEY=${key ? keyPrefix(key.prefix) : 'sk-tg-v1-…'}`;
  const code = snippets(baseUrl, 'openai/gpt-4o-mini')[language];
  return (
    <>
      <PageHeader title="Quickstart" description="Tollgate speaks the OpenAI API: point any OpenAI client at it." />
      <section className="card">
        <h2>1. Base URL</h2>
        <div className="secret-row">
          <code className="code-inline" data-testid="base-url">{baseUrl}</code>
          <CopyButton text={baseUrl} label="Copy URL" />
        </div>
        <p className="muted small">Every path also answers under <code>{window.location.origin}/api/v1</code>, so OpenRouter clients work too.</p>
      </section>
      <section className="card">
        <h2>2. Your key</h2>
        {key ? (
          <p>
            Put your key <code>{keyPrefix(key.prefix)}</code> (“{key.name}”) in an environment variable. Tollgate showed the full key
            once, when it was created; if you have lost it, <Link to="/keys">create a new one</Link>.
          </p>
        ) : (
          <p>
            You have no key yet: <Link to="/keys">create one</Link> and copy it.
          </p>
        )}
        <pre className="code"><code>{exportLine}</code></pre>
      </section>
      <section className="card">
        <h2>3. Call a model</h2>
        <div className="segmented" role="tablist" aria-label="Language">
          {LANGUAGES.map((item) => (
            <button key={item.id} type="button" role="tab" className="segment" aria-selected={language === item.id}
              aria-pressed={language === item.id} onClick={() => setLanguage(item.id)}>
              {item.label}
            </button>
          ))}
        </div>
        <div className="code-block">
          <pre className="code" role="tabpanel" aria-label={`${language} example`}><code>{code}</code></pre>
          <CopyButton text={code} className="code-copy" />
        </div>
        <p className="muted small">
          Browse the <Link to="/models">models</Link> for other ids; calls appear under <Link to="/activity">Activity</Link> within seconds.
        </p>
      </section>
    </>
  );
}
