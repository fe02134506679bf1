/**
 * The corpus: bad, odd and large inputs to `adgen build`, each with its expected outcome
 * (the shape of a case is in ./case.ts). test/corpus.test.ts runs it.
 */
import type { CorpusCase } from "./case";
import { fileSystemCases } from "./file-system-cases";
import { outDirCases } from "./out-dir-cases";
import { referenceCases } from "./reference-cases";
import { coreCases, sizeCases } from "./size-cases";
import { textCases } from "./text-cases";

export type { CorpusCase } from "./case";

export const corpus: readonly CorpusCase[] = [...outDirCases, ...fileSystemCases, ...textCases, ...referenceCases, ...coreCases, ...sizeCases];
