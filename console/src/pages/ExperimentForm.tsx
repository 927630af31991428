import { useMutation, useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { problemOf, type ApiProblem } from '../errors.js';
import { CREATE_EXPERIMENT, EXPERIMENT_SURFACES, MODEL_VERSION_NAMES, VARIANT_STRATEGIES, type Experiment, type ExperimentSurface } from '../graphql.js';
import { Done, Field, Problem } from '../ui.js';

/** The API takes two to ten variants; the form offers as many. */
const MAX_VARIANTS = 10;

interface VariantDraft {
  name: string;
  share: string;
  strategy: string;
  diversity: string;
  modelVersion: string;
  ruleSet: string;
}

const blankVariant = (name: string, share: string): VariantDraft => ({ name, share, strategy: '', diversity: '', modelVersion: '', ruleSet: '' });

/** A typed number, or the field-named problem the API would give for it; empty is absent. */
function numberOf(text: string, field: string): number | null | ApiProblem {
  if (text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : { message: `${field}: expected a number, got ${JSON.stringify(text)}`, field, code: 'BAD_USER_INPUT' };
}

const isProblem = (value: unknown): value is ApiProblem => typeof value === 'object' && value !== null && 'message' in value;

/** The API's VariantInput from a draft: empty fields are left out (the default serving behaviour). */
function variantInput(draft: VariantDraft, index: number): Record<string, unknown> | ApiProblem {
  const share = numberOf(draft.share, `input.variants[${index}].share`);
  const diversity = numberOf(draft.diversity, `input.variants[${index}].diversity`);
  if (isProblem(share)) return share;
  if (isProblem(diversity)) return diversity;
  return {
    name: draft.name.trim(),
    share: share ?? 0,
    ...(draft.strategy ? { strategy: draft.strategy } : {}),
    ...(diversity === null ? {} : { diversity }),
    ...(draft.modelVersion.trim() ? { modelVersion: draft.modelVersion.trim() } : {}),
    ...(draft.ruleSet.trim() ? { ruleSet: draft.ruleSet.trim() } : {}),
  };
}

/** Whether the problem names exactly this input (`input.variants[1].share`), not merely one ending alike. */
const names = (problem: ApiProblem | null, field: string): boolean => problem?.field === field;
/** Shares that do not add up to 1 are the API's problem with `input.variants` as a whole: every share is marked. */
const namesShares = (problem: ApiProblem | null, index: number): boolean =>
  names(problem, `input.variants[${index}].share`) || (names(problem, 'input.variants') && problem?.message.includes('shares') === true);

/** Create an experiment in state DRAFT: its name, surfaces and variants with their shares and overrides. */
export function ExperimentForm({ isAdmin, onCreated }: { isAdmin: boolean; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [surfaces, setSurfaces] = useState<ExperimentSurface[]>(['RECOMMEND']);
  const [variants, setVariants] = useState<VariantDraft[]>([blankVariant('control', '0.5'), blankVariant('candidate', '0.5')]);
  const [local, setLocal] = useState<ApiProblem | null>(null);
  const [created, create] = useMutation<{ createExperiment: Experiment }>(CREATE_EXPERIMENT);
  const problem = local ?? problemOf(created.error);
  const setVariant = (index: number, change: Partial<VariantDraft>) => setVariants(variants.map((variant, i) => (i === index ? { ...variant, ...change } : variant)));
  const submit = async () => {
    const inputs = variants.map(variantInput);
    const bad = inputs.find(isProblem);
    setLocal(bad ?? null);
    if (bad) return;
    const result = await create({ input: { name: name.trim(), surfaces, variants: inputs } });
    if (!result.error) onCreated();
  };
  const toggleSurface = (surface: ExperimentSurface, on: boolean) => setSurfaces(on ? [...surfaces, surface] : surfaces.filter((s) => s !== surface));
  const variantProblem = problem?.field?.startsWith('input.variants') ? problem : null;
  return (
    <form class="experiment-form" aria-labelledby="create-experiment" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h2 id="create-experiment">Create an experiment</h2>
      <Field label="Experiment name" id="exp-name" invalid={names(problem, 'input.name')}>
        <input id="exp-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={names(problem, 'input.name')} />
      </Field>
      <fieldset class="filters">
        <legend>Surfaces</legend>
        {EXPERIMENT_SURFACES.map((surface) => (
          <label key={surface}>
            <input type="checkbox" checked={surfaces.includes(surface)} onChange={(e) => toggleSurface(surface, e.currentTarget.checked)} /> {surface.toLowerCase().replace('_', ' ')}
          </label>
        ))}
      </fieldset>
      <fieldset data-testid="variant-drafts">
        <legend>Variants (the first is the control; shares add up to 1)</legend>
        {variants.map((variant, index) => (
          <VariantFields key={index} index={index} variant={variant} problem={problem} isAdmin={isAdmin} onChange={(change) => setVariant(index, change)}
            onRemove={variants.length > 2 ? () => setVariants(variants.filter((_, i) => i !== index)) : null} />
        ))}
        {variants.length < MAX_VARIANTS && <button type="button" onClick={() => setVariants([...variants, blankVariant(`variant-${variants.length + 1}`, '')])}>Add a variant</button>}
        <Problem problem={variantProblem} />
      </fieldset>
      {!variantProblem && <Problem problem={problem} />}
      <button type="submit">Create experiment</button>
      {created.data && !created.error && !local && <Done>Created {created.data.createExperiment.name} ({created.data.createExperiment.id}).</Done>}
    </form>
  );
}

interface VariantFieldsProps {
  index: number;
  variant: VariantDraft;
  problem: ApiProblem | null;
  isAdmin: boolean;
  onChange: (change: Partial<VariantDraft>) => void;
  onRemove: (() => void) | null;
}

function VariantFields({ index, variant, problem, isAdmin, onChange, onRemove }: VariantFieldsProps) {
  const id = (key: string) => `exp-variant-${index}-${key}`;
  const field = (key: string) => `input.variants[${index}].${key}`;
  const n = index + 1;
  return (
    <div class="filters variant-draft">
      <Field label={`Variant ${n} name`} id={id('name')} invalid={names(problem, field('name'))}>
        <input id={id('name')} value={variant.name} onInput={(e) => onChange({ name: e.currentTarget.value })} aria-invalid={names(problem, field('name'))} />
      </Field>
      <Field label={`Variant ${n} share`} id={id('share')} invalid={namesShares(problem, index)}>
        <input id={id('share')} inputMode="decimal" value={variant.share} onInput={(e) => onChange({ share: e.currentTarget.value })} aria-invalid={namesShares(problem, index)} />
      </Field>
      <Field label={`Variant ${n} strategy`} id={id('strategy')} invalid={names(problem, field('strategy'))}>
        <select id={id('strategy')} value={variant.strategy} onChange={(e) => onChange({ strategy: e.currentTarget.value })}>
          <option value="">default (fused)</option>
          {VARIANT_STRATEGIES.map((strategy) => <option key={strategy} value={strategy}>{strategy.toLowerCase().replace('_', ' ')}</option>)}
        </select>
      </Field>
      <Field label={`Variant ${n} diversity (0–1)`} id={id('diversity')} invalid={names(problem, field('diversity'))}>
        <input id={id('diversity')} inputMode="decimal" value={variant.diversity} placeholder="default" onInput={(e) => onChange({ diversity: e.currentTarget.value })} aria-invalid={names(problem, field('diversity'))} />
      </Field>
      <Field label={`Variant ${n} model version`} id={id('model')} invalid={names(problem, field('modelVersion'))}>
        <ModelVersionInput id={id('model')} isAdmin={isAdmin} value={variant.modelVersion} invalid={names(problem, field('modelVersion'))} onChange={(modelVersion) => onChange({ modelVersion })} />
      </Field>
      <Field label={`Variant ${n} rule set`} id={id('rules')} invalid={names(problem, field('ruleSet'))}>
        <input id={id('rules')} value={variant.ruleSet} placeholder="the shop's rules" onInput={(e) => onChange({ ruleSet: e.currentTarget.value })} aria-invalid={names(problem, field('ruleSet'))} />
      </Field>
      {onRemove && <button type="button" onClick={onRemove}>Remove variant {n}</button>}
    </div>
  );
}

/** Admins pick from the saved versions (`modelVersions` is an admin query); merchandisers type a version's name. */
function ModelVersionInput({ id, isAdmin, value, invalid, onChange }: { id: string; isAdmin: boolean; value: string; invalid: boolean; onChange: (value: string) => void }) {
  const [versions] = useQuery<{ modelVersions: { version: string; benchmark: boolean; error: string | null }[] }>({ query: MODEL_VERSION_NAMES, pause: !isAdmin });
  if (!isAdmin) return <input id={id} value={value} placeholder="the active model" onInput={(e) => onChange(e.currentTarget.value)} aria-invalid={invalid} />;
  // Benchmark and unreadable versions are refused by the API: they are not offered.
  const usable = (versions.data?.modelVersions ?? []).filter((version) => !version.benchmark && !version.error);
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)} aria-invalid={invalid}>
      <option value="">the active model</option>
      {usable.map((version) => <option key={version.version} value={version.version}>{version.version}</option>)}
    </select>
  );
}
