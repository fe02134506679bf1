/** The long property run's worker thread: surveys each file of programs it is sent (./survey.ts). */
import { serveJobs } from "../workers";
import { surveyFile, type ProgramResult, type SurveyJob } from "./survey";

serveJobs<SurveyJob, ProgramResult[]>(surveyFile);
